import Foundation
import GangwayCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A stand-in chatbot API: accepts `handle` and `event`, prints one line per call (flushed at
/// once), and records every call so that tests can read them back (`GET /_calls`). It can be
/// told to fail, to show retries: the first N calls, a fraction of calls, or all with a status.
/// The rest of the conversations page (list, create, find, get, delete, update, step payload,
/// custom event) works on the conversations those calls made (``MockConversations``); the failure
/// options apply to `handle` and `event` only. Step payloads and custom events are recorded apart
/// (`GET /_steps`), so that `/_calls` holds only envelopes.
public final class MockUpstream: Sendable {
    public struct Options: Sendable {
        /// Answer this many calls with `failStatus` before answering normally.
        public var failFirst: Int = 0
        /// Answer this fraction (0 to 1) of calls with `failStatus`.
        public var failRate: Double = 0
        public var failStatus: Int = 503
        /// Added to failed answers as `Retry-After`.
        public var retryAfter: String?
        /// Delay before each answer, in seconds.
        public var delaySeconds: Double = 0
        /// Print a line per call on stdout.
        public var printCalls: Bool = true
        /// Extra delay for the calls of one providerId (a slow conversation), in seconds.
        public var delayByProviderId: [String: Double] = [:]
        /// Answer 200 with a body that is not JSON.
        public var garbage: Bool = false
        public init() {}
    }

    /// One call as received.
    public struct RecordedCall: Sendable {
        public var path: String
        public var apiKey: String?
        public var idempotencyKey: String?
        /// The W3C `traceparent` the call carried.
        public var traceparent: String?
        public var body: [UInt8]
        public var status: Int
        public var json: JSONValue? { try? JSONValue.parse(body) }
    }

    private let options: Mutex<Options>
    private let calls = Mutex<[RecordedCall]>([])
    private let steps = Mutex<[RecordedCall]>([])
    private let counter = Mutex<Int>(0)
    /// The conversations the accepted calls made, and those created through the API.
    public let conversations = MockConversations()
    static let apiKeyHeader = HTTPField.Name("x-chatcaptain-key")!

    public init(options: Options = Options()) { self.options = Mutex(options) }

    public var recorded: [RecordedCall] { calls.withLock { $0 } }
    /// The step payloads and custom events received, in order.
    public var recordedSteps: [RecordedCall] { steps.withLock { $0 } }

    /// Changes how it answers from now on.
    public func update(_ change: (inout Options) -> Void) { options.withLock { change(&$0) } }

    public func addRoutes(to router: Router<some RequestContext>) {
        // One parameter name at this depth for every method (the router keeps one node per name):
        // `:id` is the operation of a POST (handle, event, payload, custom-event) and the conversation otherwise.
        router.post("/v1/chatbots/:chatbot/conversations/:id") { request, context in
            try await self.answer(request, context, chatbot: context.parameters.get("chatbot") ?? "", operation: context.parameters.get("id") ?? "")
        }
        router.get("/_calls/count") { _, _ in
            let n = self.calls.withLock { $0.count }
            return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "\(n)")))
        }
        router.get("/_calls") { _, _ in Self.listing(self.recorded) }
        router.get("/_steps") { _, _ in Self.listing(self.recordedSteps) }
        let conversations = "/v1/chatbots/:chatbot/conversations"
        router.get(RouterPath(conversations)) { request, context in try await self.conversationCall(request, context, "list") }
        router.post(RouterPath(conversations)) { request, context in try await self.conversationCall(request, context, "create") }
        router.get(RouterPath(conversations + "/:id")) { request, context in
            try await self.conversationCall(request, context, context.parameters.get("id") == "find" ? "find" : "get")
        }
        router.delete(RouterPath(conversations + "/:id")) { request, context in try await self.conversationCall(request, context, "delete") }
        router.patch(RouterPath(conversations + "/:id")) { request, context in try await self.conversationCall(request, context, "update") }
    }

    /// `{"items": [...]}` of recorded calls (`GET /_calls`, `GET /_steps`).
    static func listing(_ recorded: [RecordedCall]) -> Response {
        let items: [JSONValue] = recorded.map { c in
            .object([
                ("path", .string(c.path)), ("apiKey", .from(c.apiKey)), ("idempotencyKey", .from(c.idempotencyKey)),
                ("traceparent", .from(c.traceparent)), ("status", .number(String(c.status))), ("body", c.json ?? .null),
            ])
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: JSONValue.object([("items", .array(items))]).serialized())))
    }

    /// A route of the conversations page other than handle and event: 401 without
    /// `x-chatcaptain-key`, 400 for a body that is not JSON, else what ``MockConversations`` answers.
    private func conversationCall(_ request: Request, _ context: some RequestContext, _ operation: String) async throws -> Response {
        let chatbot = context.parameters.get("chatbot") ?? ""
        let id = operation == "payload" || operation == "custom-event" ? "" : context.parameters.get("id") ?? ""
        let apiKey = request.headers[Self.apiKeyHeader]
        var bytes: [UInt8] = []
        if ["create", "update", "payload", "custom-event"].contains(operation) {
            bytes = Array(buffer: try await request.body.collect(upTo: 4 << 20))
        }
        let query = request.uri.queryParameters
        let reply: MockConversations.Reply
        if apiKey?.isEmpty ?? true {
            reply = .error(401, "x-chatcaptain-key is required")
        } else if let body = bytes.isEmpty ? JSONValue.object([]) : try? JSONValue.parse(bytes) {
            switch operation {
            case "list":
                reply = conversations.list(chatbotId: chatbot, contactId: query["contactId"].map(String.init), channelId: query["channelId"].map(String.init))
            case "create": reply = conversations.create(chatbotId: chatbot, body: body)
            case "find":
                reply = conversations.find(chatbotId: chatbot, channelId: query["channelId"].map(String.init), providerId: query["providerId"].map(String.init))
            case "get": reply = conversations.get(chatbotId: chatbot, id: id)
            case "delete": reply = conversations.delete(chatbotId: chatbot, id: id)
            case "update": reply = conversations.update(chatbotId: chatbot, id: id, body: body)
            default: reply = conversations.step(chatbotId: chatbot, operation: operation, body: body)
            }
        } else {
            reply = .error(400, "the body is not JSON")
        }
        if operation == "payload" || operation == "custom-event" {
            let call = RecordedCall(
                path: request.uri.path, apiKey: apiKey, idempotencyKey: request.headers[.init("idempotency-key")!], body: bytes, status: reply.status)
            steps.withLock { $0.append(call) }
        }
        if options.withLock({ $0.printCalls }) {
            var line = "[chatbot-api] \(reply.status) \(operation) chatbot=\(chatbot)"
            if !id.isEmpty && operation != "find" { line += " conversation=\(id)" }
            if let error = reply.json["error"]?.string { line += " error=\(JSONValue.string(error).serialized())" }
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
        return Response(
            status: .init(code: reply.status), headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: reply.json.serialized())))
    }

    private func answer(_ request: Request, _ context: some RequestContext, chatbot: String, operation: String) async throws -> Response {
        if operation == "payload" || operation == "custom-event" { return try await conversationCall(request, context, operation) }
        let buffer = try await request.body.collect(upTo: 4 << 20)
        let body = Array(buffer: buffer)
        let opts = options.withLock { $0 }
        let n = counter.withLock { c -> Int in
            c += 1
            return c
        }
        let json = try? JSONValue.parse(body)
        let delay = opts.delaySeconds + (json?["providerId"]?.string.flatMap { opts.delayByProviderId[$0] } ?? 0)
        if delay > 0 { try await Task.sleep(for: .seconds(delay)) }
        var status = 200
        if n <= opts.failFirst || (opts.failRate > 0 && Double.random(in: 0..<1) < opts.failRate) { status = opts.failStatus }
        guard ["handle", "event"].contains(operation) else {
            status = 404
            return Response(status: .notFound)
        }
        if json == nil || json?["chatbotId"]?.string != chatbot || request.headers[.init("x-chatcaptain-key")!] == nil {
            status = 400
        }
        let call = RecordedCall(
            path: request.uri.path, apiKey: request.headers[.init("x-chatcaptain-key")!],
            idempotencyKey: request.headers[.init("idempotency-key")!], traceparent: request.headers[.init("traceparent")!], body: body,
            status: status)
        calls.withLock { $0.append(call) }
        if opts.printCalls { Self.printLine(call, operation: operation, json: json) }
        if status == 200, let json, let channelId = json["channelId"]?.string, let providerId = json["providerId"]?.string {
            conversations.touch(chatbotId: chatbot, channelId: channelId, providerId: providerId, isEvent: operation == "event")
        }
        if status != 200 {
            var headers: HTTPFields = [.contentType: "application/json"]
            if let after = opts.retryAfter, status != 400 { headers[.retryAfter] = after }
            let message = status == 400 ? "bad request: the envelope is not valid" : "stand-in failure (as configured)"
            return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: "{\"error\":\"\(message)\"}")))
        }
        if opts.garbage {
            return Response(status: .ok, headers: [.contentType: "text/html"], body: .init(byteBuffer: ByteBuffer(string: "<html>oops</html>")))
        }
        let answer = json.flatMap(Self.voiceAnswer) ?? "{}"
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: answer)))
    }

    /// An echo bot for voice calls (`async: false`): greets a call, repeats what the caller said,
    /// and hangs up on "bye".
    static func voiceAnswer(_ json: JSONValue) -> String? {
        guard json["async"] == .bool(false) else { return nil }
        func say(_ text: String) -> JSONValue { .object([("say", .string(text))]) }
        let listen = JSONValue.object([("listen", .object([("timeoutSeconds", .number("5"))]))])
        var actions: [JSONValue]
        if json["event"]?.string == "call_started" {
            actions = [say("Hello, this is the Gangway demo bot. Say something."), listen]
        } else if json[path: "message", "type"]?.string == "dtmf" {
            actions = [say("You pressed \(json[path: "message", "text"]?.string ?? "nothing")."), listen]
        } else {
            let text = json[path: "message", "text"]?.string ?? ""
            if text.lowercased().contains("bye") {
                actions = [say("Goodbye!"), .object([("hangup", .bool(true))])]
            } else {
                actions = [say(text.isEmpty ? "I did not hear anything." : "You said: \(text)"), listen]
            }
        }
        return JSONValue.object([("actions", .array(actions))]).serialized()
    }

    static func printLine(_ call: RecordedCall, operation: String, json: JSONValue?) {
        var parts = ["[chatbot-api]", "\(call.status)", operation]
        if let j = json {
            if let e = j["event"]?.string { parts.append("event=\(e)") }
            parts.append("channel=\(j["channelId"]?.string ?? "?")")
            parts.append("providerId=\(j["providerId"]?.string ?? "?")")
            if let t = j[path: "message", "type"]?.string { parts.append("type=\(t)") }
            if let text = j[path: "message", "text"]?.string { parts.append("text=\(JSONValue.string(String(text.prefix(80))).serialized())") }
        }
        parts.append("key=\(call.idempotencyKey ?? "-")")
        let line = parts.joined(separator: " ") + "\n"
        FileHandle.standardOutput.write(Data(line.utf8))
    }
}
