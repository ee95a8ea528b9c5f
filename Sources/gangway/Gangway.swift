import ArgumentParser

@main
struct Gangway: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gangway",
        abstract: "A channel webhook gateway: verifies providers' webhooks and forwards them to the chatbot API, durably.",
        subcommands: [Serve.self, CheckConfig.self, Deliveries.self, MockUpstreamCommand.self, Simulate.self, Api.self, Bench.self])
}
