import Foundation
import GangwayCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A programmable stand-in chatbot API on 127.0.0.1, port 0.
final class StandIn: Sendable {
    struct Received: Sendable {
        var path: String
        var headers: [String: String]
        var body: JSONValue
        var at: Date
    }
    struct Answer: Sendable {
        var status: Int = 200
        var headers: [String: String] = [:]
        var delay: Double = 0
        var body: String = "{}"
    }

    let received = Mutex<[Received]>([])
    let respond: @Sendable (Int, JSONValue) -> Answer
    /// Calls in flight per conversation right now, and the most ever seen at once.
    let inFlight = Mutex<[String: Int]>([:])
    let maxInFlightPerConversation = Mutex<Int>(0)

    init(respond: @escaping @Sendable (Int, JSONValue) -> Answer = { _, _ in Answer() }) {
        self.respond = respond
    }

    var calls: [Received] { received.withLock { $0 } }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/v1/chatbots/:bot/conversations/:op") { request, _ -> Response in
            let bytes = Array(buffer: try await request.body.collect(upTo: 1 << 20))
            let json = (try? JSONValue.parse(bytes)) ?? .null
            var headers: [String: String] = [:]
            for f in request.headers { headers[f.name.canonicalName] = f.value }
            let index = self.received.withLock { r -> Int in
                r.append(Received(path: request.uri.path, headers: headers, body: json, at: Date()))
                return r.count
            }
            let conversation = "\(json["channelId"]?.string ?? "")|\(json["providerId"]?.string ?? "")"
            let now = self.inFlight.withLock { m -> Int in
                m[conversation, default: 0] += 1
                return m[conversation]!
            }
            self.maxInFlightPerConversation.withLock { $0 = max($0, now) }
            defer { self.inFlight.withLock { $0[conversation, default: 1] -= 1 } }
            let answer = self.respond(index, json)
            if answer.delay > 0 { try await Task.sleep(for: .seconds(answer.delay)) }
            var fields = HTTPFields()
            for (k, v) in answer.headers { fields[HTTPField.Name(k)!] = v }
            return Response(status: .init(code: answer.status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: answer.body)))
        }
        return router
    }
}

/// Runs services on loopback for the duration of `body`, then shuts them down gracefully.
func withServer<T: Sendable>(
    _ router: Router<BasicRequestContext>, _ body: @Sendable (_ baseURL: String) async throws -> T
) async throws -> T {
    let port = Mutex<Int?>(nil)
    var logger = Logger(label: "stand-in")
    logger.logLevel = .warning
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } }, logger: logger)
    let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var bound: Int?
        for _ in 0..<500 {
            bound = port.withLock { $0 }
            if bound != nil { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        guard let bound else { throw CancellationError() }
        do {
            let result = try await body("http://127.0.0.1:\(bound)")
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
    }
}

/// Polls until `condition` holds or `seconds` pass.
func eventually(_ seconds: Double = 10, _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
