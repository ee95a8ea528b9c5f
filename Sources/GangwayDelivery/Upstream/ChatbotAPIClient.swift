import AsyncHTTPClient
import Foundation
import GangwayCore
import Logging
import NIOCore
import NIOHTTP1

/// The typed client of the chatbot API (`reference/upstream-api.md`), over one owned `HTTPClient`.
public struct ChatbotAPIClient: Sendable {
    public let httpClient: HTTPClient
    /// `upstream.baseURL`, shared by every copy of this client and changed by a reload.
    private let baseURLSetting: Reloadable<String>
    public var baseURL: String { baseURLSetting.value }
    /// `upstream.timeoutSeconds`, shared by every copy of this client and changed by a reload.
    private let timeoutSetting: Reloadable<Double>
    /// The deadline of every call, in seconds.
    public var timeout: Double { timeoutSetting.value }
    /// How much of an answer body is read (a voice answer, an error message).
    public var maxResponseBytes = 1 << 20

    /// - Parameters:
    ///   - httpClient: the client (owned by ``HTTPClientService``).
    ///   - baseURL: `upstream.baseURL`, without a trailing slash.
    ///   - timeout: `upstream.timeoutSeconds`, the deadline of every call.
    public init(httpClient: HTTPClient, baseURL: String, timeout: Double) {
        self.httpClient = httpClient
        self.baseURLSetting = Reloadable(baseURL)
        self.timeoutSetting = Reloadable(timeout)
    }

    /// Applies a reloaded `upstream.timeoutSeconds` to the calls that start from now on.
    public func setTimeout(_ seconds: Double) { timeoutSetting.replace(with: seconds) }

    /// Applies a reloaded `upstream.baseURL` to the calls that start from now on.
    public func setBaseURL(_ url: String) { baseURLSetting.replace(with: url) }

    /// One answer of the chatbot API.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]

        public func header(_ name: String) -> String? {
            headers.first(where: { $0.0.lowercased() == name.lowercased() })?.1
        }
        /// The body as JSON, when it is.
        public var json: JSONValue? { try? JSONValue.parse(body) }
        /// The API's optional `error` string.
        public var errorMessage: String? { json?["error"]?.string }
        public var isSuccess: Bool { (200..<300).contains(status) }
    }

    /// A non-2xx answer of a typed call.
    public struct APIError: Error, Sendable, CustomStringConvertible {
        public var status: Int
        public var message: String?
        public var description: String { "chatbot API answered \(status)\(message.map { ": \($0)" } ?? "")" }
    }

    // MARK: handle and event

    /// Sends `handle` or `event` with a stored envelope.
    /// - Parameters:
    ///   - kind: `.handle` or `.event` (the path).
    ///   - chatbotId: the path's chatbot.
    ///   - envelope: the JSON body.
    ///   - apiKey: `x-chatcaptain-key`.
    ///   - idempotencyKey: the same for every attempt of one call.
    ///   - timeout: overrides `upstream.timeoutSeconds` (direct mode uses what is left of the deadline).
    ///   - headers: more headers (the call's `traceparent` and `tracestate`).
    /// - Returns: the answer, whatever its status. Throws on connection errors and timeouts.
    public func send(
        kind: InboundCall.Kind, chatbotId: String, envelope: Data, apiKey: String, idempotencyKey: String, timeout: Double? = nil,
        headers: [String: String] = [:], logger: Logger
    ) async throws -> Response {
        var request = HTTPClientRequest(url: "\(baseURL)/v1/chatbots/\(pathSegment(chatbotId))/conversations/\(kind.rawValue)")
        request.method = .POST
        request.headers.add(name: "x-chatcaptain-key", value: apiKey)
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "idempotency-key", value: idempotencyKey)
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: envelope))
        return try await execute(request, timeout: timeout ?? self.timeout, logger: logger)
    }

    // MARK: The other endpoints of the conversations page

    /// `GET /v1/chatbots/{chatbotId}/conversations?contactId=&channelId=`
    public func listConversations(
        chatbotId: String, contactId: String? = nil, channelId: String? = nil, apiKey: String, logger: Logger
    ) async throws -> JSONValue {
        var query: [FormField] = []
        if let contactId { query.append(FormField("contactId", contactId)) }
        if let channelId { query.append(FormField("channelId", channelId)) }
        return try await call(.GET, chatbotId: chatbotId, path: "", query: query, body: nil, apiKey: apiKey, logger: logger)
    }

    /// `POST /v1/chatbots/{chatbotId}/conversations` (the body is not described by the API page; sent as given).
    public func createConversation(chatbotId: String, body: [String: String] = [:], apiKey: String, logger: Logger) async throws -> JSONValue {
        try await call(.POST, chatbotId: chatbotId, path: "", body: encode(body), apiKey: apiKey, logger: logger)
    }

    /// `GET /v1/chatbots/{chatbotId}/conversations/find?channelId=&providerId=`
    public func findConversation(chatbotId: String, channelId: String, providerId: String, apiKey: String, logger: Logger) async throws -> JSONValue {
        try await call(
            .GET, chatbotId: chatbotId, path: "/find", query: [FormField("channelId", channelId), FormField("providerId", providerId)],
            body: nil, apiKey: apiKey, logger: logger)
    }

    /// `GET /v1/chatbots/{chatbotId}/conversations/{conversationId}`
    public func getConversation(chatbotId: String, conversationId: String, apiKey: String, logger: Logger) async throws -> JSONValue {
        try await call(.GET, chatbotId: chatbotId, path: "/\(pathSegment(conversationId))", body: nil, apiKey: apiKey, logger: logger)
    }

    /// `DELETE /v1/chatbots/{chatbotId}/conversations/{conversationId}`; true when the API answers `{"deleted": true}`.
    public func deleteConversation(chatbotId: String, conversationId: String, apiKey: String, logger: Logger) async throws -> Bool {
        let json = try await call(.DELETE, chatbotId: chatbotId, path: "/\(pathSegment(conversationId))", body: nil, apiKey: apiKey, logger: logger)
        return json["deleted"]?.bool == true
    }

    /// `PATCH /v1/chatbots/{chatbotId}/conversations/{conversationId}`
    public func updateConversation(chatbotId: String, conversationId: String, body: [String: String], apiKey: String, logger: Logger) async throws -> JSONValue
    {
        try await call(.PATCH, chatbotId: chatbotId, path: "/\(pathSegment(conversationId))", body: encode(body), apiKey: apiKey, logger: logger)
    }

    /// The body of `POST .../conversations/payload`.
    public struct StepPayload: Sendable, Codable, Equatable {
        public var chatbotId: String
        public var conversationId: String
        public var flowId: String?
        public var stepId: String?
        public var event: String?
        /// A JSON string.
        public var eventPayload: String?
        public var async: Bool?
        public var isDebug: Bool?
        public init(
            chatbotId: String, conversationId: String, flowId: String? = nil, stepId: String? = nil, event: String? = nil,
            eventPayload: String? = nil, async: Bool? = nil, isDebug: Bool? = nil
        ) {
            self.chatbotId = chatbotId
            self.conversationId = conversationId
            self.flowId = flowId
            self.stepId = stepId
            self.event = event
            self.eventPayload = eventPayload
            self.async = async
            self.isDebug = isDebug
        }
    }

    /// `POST /v1/chatbots/{chatbotId}/conversations/payload`
    public func sendPayload(_ payload: StepPayload, apiKey: String, logger: Logger) async throws -> JSONValue {
        try await call(.POST, chatbotId: payload.chatbotId, path: "/payload", body: encode(payload), apiKey: apiKey, logger: logger)
    }

    /// `POST /v1/chatbots/{chatbotId}/conversations/custom-event`
    public func sendCustomEvent(chatbotId: String, conversationId: String, event: String, apiKey: String, logger: Logger) async throws -> JSONValue {
        try await call(
            .POST, chatbotId: chatbotId, path: "/custom-event",
            body: encode(["chatbotId": chatbotId, "conversationId": conversationId, "event": event]), apiKey: apiKey, logger: logger)
    }

    // MARK: Plumbing

    private func encode(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)) ?? Data("{}".utf8)
    }

    private func pathSegment(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? s
    }

    private func call(
        _ method: HTTPMethod, chatbotId: String, path: String, query: [FormField] = [], body: Data?, apiKey: String, logger: Logger
    ) async throws -> JSONValue {
        var url = "\(baseURL)/v1/chatbots/\(pathSegment(chatbotId))/conversations\(path)"
        if !query.isEmpty { url += "?" + FormField.encode(query) }
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "x-chatcaptain-key", value: apiKey)
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await execute(request, timeout: timeout, logger: logger)
        guard response.isSuccess else { throw APIError(status: response.status, message: response.errorMessage) }
        return response.json ?? .null
    }

    private func execute(_ request: HTTPClientRequest, timeout: Double, logger: Logger) async throws -> Response {
        let response = try await httpClient.execute(request, timeout: .milliseconds(Int64(timeout * 1000)), logger: logger)
        var body = try await response.body.collect(upTo: maxResponseBytes)
        let bytes = body.readBytes(length: body.readableBytes) ?? []
        return Response(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: bytes)
    }
}
