import ArgumentParser
import GangwayServer
import Hummingbird
import Logging

struct MockUpstreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock-upstream", abstract: "Run the stand-in chatbot API, printing each call (GET /_calls lists them as JSON).")

    @Option(help: "Port to listen on (127.0.0.1).") var port: Int = 8090
    @Option(help: "Answer the first N calls with --fail-status (to watch retries).") var failFirst: Int = 0
    @Option(help: "Answer this fraction of calls (0 to 1) with --fail-status.") var failRate: Double = 0
    @Option(help: "The status of a failed answer.") var failStatus: Int = 503
    @Option(help: "Retry-After on failed answers (seconds or an HTTP date).") var retryAfter: String?
    @Option(help: "Seconds to wait before each answer.") var delay: Double = 0

    func validate() throws {
        guard (0...1).contains(failRate) else { throw ValidationError("--fail-rate must be between 0 and 1") }
        guard (100...599).contains(failStatus) else { throw ValidationError("--fail-status must be an HTTP status") }
    }

    func run() async throws {
        var options = MockUpstream.Options()
        options.failFirst = failFirst
        options.failRate = failRate
        options.failStatus = failStatus
        options.retryAfter = retryAfter
        options.delaySeconds = delay
        let mock = MockUpstream(options: options)
        let router = Router()
        mock.addRoutes(to: router)
        var logger = Logger(label: "mock-upstream")
        logger.logLevel = .warning
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { _ in say("mock-upstream: listening on http://127.0.0.1:\(port)") }, logger: logger)
        try await app.runService()
    }
}
