import Adapters
import ArgumentParser
import Foundation
import GangwayCore

/// `--config FILE`, shared by every command that reads the configuration.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "The configuration file (default: $GANGWAY_CONFIG, else config/gangway.yaml).")
    var config: String?

    var path: String {
        config ?? ProcessInfo.processInfo.environment["GANGWAY_CONFIG"] ?? "config/gangway.yaml"
    }

    /// Loads and validates, or prints every fault to stderr and exits 1.
    func load() throws -> GangwayConfiguration {
        do {
            return try ConfigLoader(providers: AdapterRegistry.standard).load(path: path)
        } catch {
            var err = StandardError()
            print("\(path): invalid configuration (\(error.errors.count) problem\(error.errors.count == 1 ? "" : "s")):", to: &err)
            for e in error.errors { print("  \(e)", to: &err) }
            throw ExitCode.failure
        }
    }
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { FileHandle.standardError.write(Data(string.utf8)) }
}

/// Prints to stdout at once, also when stdout is a pipe.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
