import Adapters
import Foundation
import GangwayCore
import Testing

/// A provider is a folder under adapters/ and one registry line: the registry and the folders
/// agree, and every provider has what a newcomer and an operator need (issue 13).
@Suite struct ProviderFolderTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(path).path) }

    func read(_ path: String) throws -> String { try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8) }

    var providerFolders: [String] {
        let all = (try? FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("adapters").path)) ?? []
        return all.filter { name in
            var isDirectory: ObjCBool = false
            return name != "Shared"
                && FileManager.default.fileExists(atPath: Self.root.appendingPathComponent("adapters/\(name)").path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }.sorted()
    }

    @Test func everyFolderIsRegisteredAndEveryProviderHasAFolder() {
        #expect(providerFolders == AdapterRegistry.standard.names)
    }

    @Test(arguments: AdapterRegistry.standard.names)
    func everyProviderHasReadmeSamplesAnExampleChannelAndATestSuite(_ provider: String) throws {
        #expect(exists("adapters/\(provider)/README.md"), "adapters/\(provider)/README.md")
        let samples = (try? FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("adapters/\(provider)/samples").path)) ?? []
        #expect(!samples.isEmpty, "adapters/\(provider)/samples is empty or missing")
        #expect(exists("config/channels/\(provider).yaml"), "config/channels/\(provider).yaml")
        let suites = (try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Tests/AdaptersTests").path))
            .map { $0.lowercased() }
        let wanted = provider.replacingOccurrences(of: "-", with: "") + "adaptertests.swift"
        #expect(suites.contains(wanted), "no Tests/AdaptersTests/…AdapterTests.swift for \(provider)")
    }

    @Test(arguments: AdapterRegistry.standard.names)
    func everyReadmeSaysWhoTheConversationIsWithAndWhatTheKeyIs(_ provider: String) throws {
        let readme = try read("adapters/\(provider)/README.md")
        let section = try #require(readme.range(of: "## Conversation and idempotency key").map { readme[$0.upperBound...] })
        #expect(section.contains("`providerId` is") && section.contains("the idempotency key is `<channelId>:`"))
        // The secrets and settings the descriptor declares are the ones the README explains.
        let d = try #require(AdapterRegistry.standard[provider])
        for key in d.requiredSecrets + d.optionalSecrets + d.settings {
            #expect(readme.contains("`\(key)`"), "adapters/\(provider)/README.md does not name `\(key)`")
        }
    }

    @Test func eachAdapterServesTheMethodsItsDescriptorDeclaresAndTheReadmeNamesItsPaths() throws {
        let loader = ConfigLoader(providers: AdapterRegistry.standard, environment: [:])
        let demo = try loader.load(path: Self.root.appendingPathComponent("config/demo-all.yaml").path)
        for channel in demo.channels {
            let d = try #require(AdapterRegistry.standard[channel.provider])
            #expect(d.makeAdapter(channel).methods == d.methods, "\(d.name)")
            #expect(d.subpaths.first == "", "\(d.name): the channel's own URL comes first")
            let readme = try read("adapters/\(d.name)/README.md")
            for subpath in d.subpaths where !subpath.isEmpty {
                #expect(readme.contains(subpath), "adapters/\(d.name)/README.md does not name \(subpath)")
            }
        }
    }

    @Test func theReadmeProviderTableListsExactlyTheRegisteredProviders() throws {
        let readme = try read("README.md")
        let rows = readme.split(separator: "\n").filter {
            $0.hasPrefix("| `") && $0.contains("](adapters/") && $0.contains("](config/channels/")
        }
        let names = rows.compactMap { row -> String? in
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            return cells.first.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "`")) }
        }
        #expect(names.sorted() == AdapterRegistry.standard.names)
        for (name, row) in zip(names, rows) {
            #expect(row.contains("(adapters/\(name)/README.md)") && row.contains("(config/channels/\(name).yaml)"), "\(row)")
        }
    }

    @Test func demoAllHasAChannelOfEveryProviderAndEachExampleChannelLoads() throws {
        let loader = ConfigLoader(providers: AdapterRegistry.standard, environment: [:])
        let demo = try loader.load(path: Self.root.appendingPathComponent("config/demo-all.yaml").path)
        #expect(Set(demo.channels.map(\.provider)) == Set(AdapterRegistry.standard.names))
        for channel in demo.channels {
            #expect(channel.id == "demo_" + channel.provider.replacingOccurrences(of: "-", with: "_"), "\(channel.id)")
        }
    }

    @Test func noSwiftFileOfTheProductIsLongerThan400Lines() throws {
        for folder in ["Sources", "adapters"] {
            let base = Self.root.appendingPathComponent(folder)
            let files = FileManager.default.enumerator(atPath: base.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
            #expect(!files.isEmpty)
            for file in files {
                let lines = try String(contentsOf: base.appendingPathComponent(file), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
                    .count
                #expect(lines <= 401, "\(folder)/\(file) has \(lines) lines")
            }
        }
    }
}
