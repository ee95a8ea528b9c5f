import Adapters
import Foundation
import GangwayCore
import Testing

/// What a descriptor says about a provider's signature agrees with the README's table "What each
/// provider's signature protects" (`gangway doctor` reads the descriptor, operators the table).
@Suite struct DescriptorFlagsTests {
    /// Each provider's cell in the URL column, by provider name.
    static func urlColumn() throws -> [String: String] {
        let readme = try String(contentsOf: ProviderFolderTests.root.appendingPathComponent("README.md"), encoding: .utf8)
        guard let start = readme.range(of: "## What each provider's signature protects") else { return [:] }
        var cells: [String: String] = [:]
        for line in readme[start.upperBound...].split(separator: "\n") {
            if line.hasPrefix("## ") { break }
            guard line.hasPrefix("| `") else { continue }
            let columns = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard columns.count > 3 else { continue }
            // `twilio`, or `whatsapp`, `messenger`, or `wechat` (safe mode): every name in backquotes.
            let names = columns[1].split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
            for name in names { cells[name] = cells[name].map { $0 == columns[3] ? $0 : "mixed" } ?? columns[3] }
        }
        return cells
    }

    @Test(arguments: AdapterRegistry.standard.names)
    func signatureCoversURLMatchesTheReadme(_ provider: String) throws {
        let cell = try #require(try Self.urlColumn()[provider], "no row for \(provider) in the README's signature table")
        let descriptor = try #require(AdapterRegistry.standard[provider])
        #expect(descriptor.signatureCoversURL == (cell == "✔"), "\(provider): URL column \(cell)")
    }

    @Test func onlyBotFrameworkSamplesNeedTheProvidersKey() {
        #expect(AdapterRegistry.standard.names.filter { AdapterRegistry.standard[$0]?.canSignSamples == false } == ["botframework"])
    }
}
