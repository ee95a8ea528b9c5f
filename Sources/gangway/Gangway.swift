import ArgumentParser
import Foundation

@main
struct Gangway: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gangway",
        abstract: "A channel webhook gateway: verifies providers' webhooks and forwards them to the chatbot API, durably.",
        subcommands: [Serve.self, CheckConfig.self, Deliveries.self, MockUpstreamCommand.self, Simulate.self, Doctor.self, Api.self, Bench.self])

    /// ArgumentParser's `main`, except that a usage error exits 1 like a config error (DESIGN.md,
    /// section 5), not EX_USAGE (64); the message and usage text are ArgumentParser's own.
    static func main() async {
        do {
            var command = try await asyncParseAsRoot(nil)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(1)
        }
    }
}
