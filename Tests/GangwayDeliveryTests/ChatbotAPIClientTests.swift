import AsyncHTTPClient
import Foundation
import GangwayCore
import GangwayDelivery
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization
import Testing

final class SeenLog: Sendable {
    let items = Mutex<[ChatbotAPIClientTests.Seen]>([])
}

/// The typed endpoints of the conversations page, against a stand-in that checks each request.
@Suite struct ChatbotAPIClientTests {
    struct Seen: Sendable {
        var method: String
        var path: String
        var query: String?
        var key: String?
        var body: JSONValue?
    }

    func withAPI(_ body: @Sendable (ChatbotAPIClient, SeenLog) async throws -> Void) async throws {
        let seen = SeenLog()
        let router = Router()
        router.on("/v1/chatbots/:bot/conversations/**", method: .get) { r, _ in try await answer(r, seen) }
        router.on("/v1/chatbots/:bot/conversations/**", method: .post) { r, _ in try await answer(r, seen) }
        router.on("/v1/chatbots/:bot/conversations/**", method: .patch) { r, _ in try await answer(r, seen) }
        router.on("/v1/chatbots/:bot/conversations/**", method: .delete) { r, _ in try await answer(r, seen) }
        router.on("/v1/chatbots/:bot/conversations", method: .get) { r, _ in try await answer(r, seen) }
        router.on("/v1/chatbots/:bot/conversations", method: .post) { r, _ in try await answer(r, seen) }
        try await withServer(router) { base in
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                try await body(ChatbotAPIClient(httpClient: http, baseURL: base, timeout: 5), seen)
            } catch {
                try? await http.shutdown()
                throw error
            }
            try await http.shutdown()
        }
    }

    @Test func eachEndpointUsesItsMethodPathQueryAndKey() async throws {
        let log = Logger(label: "t")
        try await withAPI { api, seen in
            let list = try await api.listConversations(chatbotId: "bot_1", contactId: "c 1", channelId: "ch1", apiKey: "k1", logger: log)
            #expect(list["items"]?.items.count == 0)
            _ = try await api.createConversation(chatbotId: "bot_1", body: ["channelId": "ch1"], apiKey: "k1", logger: log)
            let found = try await api.findConversation(chatbotId: "bot_1", channelId: "ch1", providerId: "+49 1", apiKey: "k1", logger: log)
            #expect(found["id"]?.string == "conv_1")
            _ = try await api.getConversation(chatbotId: "bot_1", conversationId: "conv_1", apiKey: "k1", logger: log)
            #expect(try await api.deleteConversation(chatbotId: "bot_1", conversationId: "conv_1", apiKey: "k1", logger: log))
            _ = try await api.updateConversation(chatbotId: "bot_1", conversationId: "conv_1", body: ["status": "closed"], apiKey: "k1", logger: log)
            _ = try await api.sendPayload(
                .init(chatbotId: "bot_1", conversationId: "conv_1", flowId: "f", stepId: "s", eventPayload: "{\"a\":1}", async: true), apiKey: "k1",
                logger: log)
            _ = try await api.sendCustomEvent(chatbotId: "bot_1", conversationId: "conv_1", event: "paid", apiKey: "k1", logger: log)
            let s = seen.items.withLock { $0 }
            #expect(
                s.map { "\($0.method) \($0.path)" } == [
                    "GET /v1/chatbots/bot_1/conversations", "POST /v1/chatbots/bot_1/conversations",
                    "GET /v1/chatbots/bot_1/conversations/find", "GET /v1/chatbots/bot_1/conversations/conv_1",
                    "DELETE /v1/chatbots/bot_1/conversations/conv_1", "PATCH /v1/chatbots/bot_1/conversations/conv_1",
                    "POST /v1/chatbots/bot_1/conversations/payload", "POST /v1/chatbots/bot_1/conversations/custom-event",
                ])
            #expect(s.allSatisfy { $0.key == "k1" })
            #expect(s[0].query == "contactId=c+1&channelId=ch1")
            #expect(s[2].query == "channelId=ch1&providerId=%2B49+1")
            #expect(s[5].body?["status"]?.string == "closed")
            #expect(s[6].body?["eventPayload"]?.string == "{\"a\":1}")
            #expect(s[6].body?["isDebug"] == nil)
            #expect(s[7].body == .object([("chatbotId", .string("bot_1")), ("conversationId", .string("conv_1")), ("event", .string("paid"))]))
        }
    }

    @Test func aNon2xxAnswerIsAnErrorWithTheAPIsMessage() async throws {
        try await withAPI { api, _ in
            await #expect {
                _ = try await api.getConversation(chatbotId: "bot_1", conversationId: "missing", apiKey: "k1", logger: Logger(label: "t"))
            } throws: { error in
                (error as? ChatbotAPIClient.APIError)?.status == 404 && (error as? ChatbotAPIClient.APIError)?.message == "conversation not found"
            }
        }
    }
}

private func answer(_ request: Request, _ seen: SeenLog) async throws -> Response {
    let bytes = Array(buffer: try await request.body.collect(upTo: 1 << 20))
    let key = request.headers[HTTPField.Name("x-chatcaptain-key")!]
    seen.items.withLock {
        $0.append(.init(method: request.method.rawValue, path: request.uri.path, query: request.uri.query, key: key, body: try? JSONValue.parse(bytes)))
    }
    let path = request.uri.path
    let json: String
    var status = HTTPResponse.Status.ok
    if path.hasSuffix("/missing") {
        status = .notFound
        json = #"{"error":"conversation not found"}"#
    } else if request.method == .delete {
        json = #"{"deleted":true}"#
    } else if path.hasSuffix("/conversations") && request.method == .get {
        json = #"{"items":[]}"#
    } else {
        json = #"{"id":"conv_1"}"#
    }
    return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
}
