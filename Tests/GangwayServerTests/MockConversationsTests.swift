import AsyncHTTPClient
import Foundation
import GangwayCore
import GangwayDelivery
import GangwayServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// The stand-in chatbot API's conversations: the routes of the conversations page beside
/// handle and event (`gangway mock-upstream`, `serve --demo`).
@Suite struct MockConversationsTests {
    static let key: HTTPFields = [HTTPField.Name("x-chatcaptain-key")!: "test-key", .contentType: "application/json"]
    static let base = "/v1/chatbots/bot_1/conversations"

    func withMock(
        _ configure: (inout MockUpstream.Options) -> Void = { _ in }, _ body: @Sendable (MockUpstream, any TestClientProtocol) async throws -> Void
    )
        async throws
    {
        var options = MockUpstream.Options()
        options.printCalls = false
        configure(&options)
        let mock = MockUpstream(options: options)
        let router = Router()
        mock.addRoutes(to: router)
        try await Application(router: router).test(.router) { client in try await body(mock, client) }
    }

    struct Answer {
        var status: Int
        var json: JSONValue
    }

    func call(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ path: String, _ body: String? = nil, headers: HTTPFields = key
    ) async throws -> Answer {
        let response = try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        let json = (try? JSONValue.parse(Array(buffer: response.body))) ?? .null
        return Answer(status: Int(response.status.code), json: json)
    }

    static func envelope(_ channel: String, _ provider: String, event: String? = nil, chatbot: String = "bot_1") -> String {
        let e = event.map { #", "event": "\#($0)""# } ?? ""
        return #"{"chatbotId": "\#(chatbot)", "channelId": "\#(channel)", "channelName": "WA", "providerId": "\#(provider)"\#(e)}"#
    }

    @Test func handleAndEventMakeOneConversationPerChatbotChannelAndUser() async throws {
        try await withMock { _, client in
            for body in [Self.envelope("wa", "49111"), Self.envelope("wa", "49111"), Self.envelope("wa", "49222"), Self.envelope("tg", "49111")] {
                #expect(try await call(client, .post, Self.base + "/handle", body).status == 200)
            }
            #expect(try await call(client, .post, Self.base + "/event", Self.envelope("wa", "49111", event: "user_seen_message")).status == 200)
            // Another chatbot's conversations are its own.
            #expect(try await call(client, .post, "/v1/chatbots/bot_2/conversations/handle", Self.envelope("wa", "49111", chatbot: "bot_2")).status == 200)

            let found = try await call(client, .get, Self.base + "/find?channelId=wa&providerId=49111")
            #expect(found.status == 200)
            let id = try #require(found.json["id"]?.string)
            #expect(id == MockConversations.conversationID(chatbotId: "bot_1", channelId: "wa", providerId: "49111"))
            #expect(id.count == 17 && id.hasPrefix("conv_") && id.dropFirst(5).allSatisfy(\.isHexDigit))
            #expect(found.json["messages"]?.idString == "2" && found.json["events"]?.idString == "1")
            #expect(found.json["chatbotId"]?.string == "bot_1" && found.json["channelId"]?.string == "wa" && found.json["providerId"]?.string == "49111")
            #expect(found.json["createdAt"]?.string != nil && found.json["updatedAt"]?.string != nil)
            #expect(try await call(client, .get, Self.base + "/\(id)").json == found.json)

            #expect(try await call(client, .get, Self.base).json["items"]?.items.count == 3)
            #expect(try await call(client, .get, Self.base + "?channelId=wa").json["items"]?.items.map { $0["providerId"]?.string } == ["49111", "49222"])
            #expect(try await call(client, .get, "/v1/chatbots/bot_2/conversations").json["items"]?.items.count == 1)
            #expect(try await call(client, .get, "/v1/chatbots/bot_2/conversations/\(id)").status == 404)
        }
    }

    @Test func everyRouteNeedsTheKeyAndHandleKeepsItsOwnAnswer() async throws {
        try await withMock { mock, client in
            let none: HTTPFields = [.contentType: "application/json"]
            let routes: [(HTTPRequest.Method, String)] = [
                (.get, Self.base), (.post, Self.base), (.get, Self.base + "/find?channelId=wa&providerId=1"), (.get, Self.base + "/conv_1"),
                (.delete, Self.base + "/conv_1"), (.patch, Self.base + "/conv_1"), (.post, Self.base + "/payload"), (.post, Self.base + "/custom-event"),
            ]
            for (method, path) in routes {
                let answer = try await call(client, method, path, "{}", headers: none)
                #expect(answer.status == 401, "\(method) \(path)")
                #expect(answer.json["error"]?.string != nil)
            }
            // handle and event without a key: 400, recorded, as they always were.
            #expect(try await call(client, .post, Self.base + "/handle", Self.envelope("wa", "1"), headers: none).status == 400)
            #expect(mock.recorded.map(\.status) == [400])
            #expect(mock.conversations.count == 0)
            #expect(try await call(client, .post, Self.base + "/nonsense", "{}").status == 404)
        }
    }

    @Test func findNeedsBothIdsAndAnswers404WhenThereIsNone() async throws {
        try await withMock { _, client in
            #expect(try await call(client, .get, Self.base + "/find?channelId=wa").status == 400)
            #expect(try await call(client, .get, Self.base + "/find?providerId=1").status == 400)
            #expect(try await call(client, .get, Self.base + "/find?channelId=&providerId=1").status == 400)
            let none = try await call(client, .get, Self.base + "/find?channelId=wa&providerId=1")
            #expect(none.status == 404)
            #expect(none.json["error"]?.string?.contains("providerId 1") == true)
        }
    }

    @Test func createGetUpdateAndDelete() async throws {
        try await withMock { _, client in
            let created = try await call(client, .post, Self.base, #"{"contactId": "contact_1", "topic": "billing", "priority": 2}"#)
            #expect(created.status == 200)
            let id = try #require(created.json["id"]?.string)
            #expect(created.json["contactId"]?.string == "contact_1" && created.json["topic"]?.string == "billing")
            #expect(created.json["priority"]?.idString == "2" && created.json["messages"]?.idString == "0")

            let withIds = try await call(client, .post, Self.base, #"{"channelId": "wa", "providerId": "49333"}"#)
            #expect(withIds.json["id"]?.string == MockConversations.conversationID(chatbotId: "bot_1", channelId: "wa", providerId: "49333"))
            #expect(try await call(client, .post, Self.base, #"{"channelId": "wa", "providerId": "49333"}"#).status == 409)
            // A message of that user lands in the conversation created for it.
            #expect(try await call(client, .post, Self.base + "/handle", Self.envelope("wa", "49333")).status == 200)
            #expect(try await call(client, .get, Self.base + "/find?channelId=wa&providerId=49333").json["messages"]?.idString == "1")

            for bad in [#"{"id": "x"}"#, #"{"messages": 3}"#, #"{"chatbotId": "bot_9"}"#, #"{"channelId": 5}"#, "[1]", "not json"] {
                #expect(try await call(client, .post, Self.base, bad).status == 400, "\(bad)")
            }

            let patched = try await call(client, .patch, Self.base + "/\(id)", #"{"topic": null, "status": "open", "contactId": "contact_2"}"#)
            #expect(patched.status == 200)
            #expect(patched.json["topic"] == nil && patched.json["status"]?.string == "open" && patched.json["contactId"]?.string == "contact_2")
            #expect(patched.json["priority"]?.idString == "2")
            #expect(try await call(client, .get, Self.base + "?contactId=contact_2").json["items"]?.items.map { $0["id"]?.string } == [id])
            #expect(try await call(client, .get, Self.base + "?contactId=contact_1").json["items"]?.items.isEmpty == true)
            for bad in [#"{"providerId": "1"}"#, #"{"createdAt": "now"}"#, #"{"contactId": 1}"#, "[]"] {
                #expect(try await call(client, .patch, Self.base + "/\(id)", bad).status == 400, "\(bad)")
            }
            #expect(try await call(client, .patch, Self.base + "/conv_000000000000", "{}").status == 404)
            #expect(try await call(client, .patch, "/v1/chatbots/bot_2/conversations/\(id)", "{}").status == 404)

            #expect(try await call(client, .delete, "/v1/chatbots/bot_2/conversations/\(id)").status == 404)
            let deleted = try await call(client, .delete, Self.base + "/\(id)")
            #expect(deleted.status == 200 && deleted.json == .object([("deleted", .bool(true))]))
            let gone = try await call(client, .get, Self.base + "/\(id)")
            #expect(gone.status == 404 && gone.json["error"]?.string != nil)
            #expect(try await call(client, .delete, Self.base + "/\(id)").status == 404)
        }
    }

    @Test func stepPayloadsAndCustomEventsNameAConversationAndAreRecorded() async throws {
        try await withMock { mock, client in
            #expect(try await call(client, .post, Self.base + "/handle", Self.envelope("wa", "49111")).status == 200)
            let id = MockConversations.conversationID(chatbotId: "bot_1", channelId: "wa", providerId: "49111")
            let payload =
                #"{"chatbotId": "bot_1", "conversationId": "\#(id)", "flowId": "flow_1", "stepId": "step_1", "event": "go", "eventPayload": "{\"orderId\": \"12345\"}", "async": false, "isDebug": true}"#
            let ok = try await call(client, .post, Self.base + "/payload", payload)
            #expect(ok.status == 200 && ok.json["conversationId"]?.string == id)
            let custom = try await call(
                client, .post, Self.base + "/custom-event", #"{"chatbotId": "bot_1", "conversationId": "\#(id)", "event": "order_completed"}"#)
            #expect(custom.status == 200)
            #expect(try await call(client, .get, Self.base + "/\(id)").json["events"]?.idString == "1")

            let refused: [(String, String, Int)] = [
                ("payload", #"{"conversationId": "\#(id)"}"#, 400),
                ("payload", #"{"chatbotId": "bot_2", "conversationId": "\#(id)"}"#, 400),
                ("payload", #"{"chatbotId": "bot_1"}"#, 400),
                ("payload", #"{"chatbotId": "bot_1", "conversationId": "\#(id)", "eventPayload": "{not json"}"#, 400),
                ("payload", #"{"chatbotId": "bot_1", "conversationId": "\#(id)", "eventPayload": {"a": 1}}"#, 400),
                ("payload", #"{"chatbotId": "bot_1", "conversationId": "\#(id)", "async": "yes"}"#, 400),
                ("payload", #"{"chatbotId": "bot_1", "conversationId": "conv_000000000000"}"#, 404),
                ("custom-event", #"{"chatbotId": "bot_1", "conversationId": "\#(id)"}"#, 400),
                ("custom-event", #"{"chatbotId": "bot_2", "conversationId": "\#(id)", "event": "e"}"#, 400),
                ("custom-event", #"{"chatbotId": "bot_1", "conversationId": "conv_000000000000", "event": "e"}"#, 404),
                ("custom-event", "nope", 400),
            ]
            for (operation, body, status) in refused {
                let answer = try await call(client, .post, Self.base + "/\(operation)", body)
                #expect(answer.status == status, "\(operation) \(body)")
                #expect(answer.json["error"]?.string != nil)
            }
            let steps = mock.recordedSteps
            #expect(steps.count == 2 + refused.count)
            #expect(steps.prefix(2).map(\.path) == [Self.base + "/payload", Self.base + "/custom-event"])
            #expect(steps.first?.json?["eventPayload"]?.string == #"{"orderId": "12345"}"#)
            #expect(steps.first?.apiKey == "test-key")
            // Only the envelopes are in /_calls.
            #expect(mock.recorded.count == 1)
        }
    }

    @Test func failureOptionsApplyToHandleAndEventOnly() async throws {
        try await withMock({ $0.failFirst = 2 }) { mock, client in
            #expect(try await call(client, .post, Self.base, "{}").status == 200)
            #expect(try await call(client, .get, Self.base + "/find?channelId=wa&providerId=1").status == 404)
            let failed = try await call(client, .post, Self.base + "/handle", Self.envelope("wa", "1"))
            #expect(failed.status == 503)
            #expect(mock.conversations.count == 1)  // a failed call makes no conversation
            #expect(try await call(client, .post, Self.base + "/handle", Self.envelope("wa", "1")).status == 503)
            #expect(try await call(client, .post, Self.base + "/handle", Self.envelope("wa", "1")).status == 200)
            #expect(try await call(client, .get, Self.base + "/find?channelId=wa&providerId=1").json["messages"]?.idString == "1")
        }
    }

    /// The typed client of the chatbot API against the stand-in, over a socket.
    @Test func theTypedClientWorksAgainstTheStandIn() async throws {
        var options = MockUpstream.Options()
        options.printCalls = false
        let mock = MockUpstream(options: options)
        let router = Router()
        mock.addRoutes(to: router)
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { test in
            let port = try #require(test.port)
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let client = ChatbotAPIClient(httpClient: http, baseURL: "http://127.0.0.1:\(port)", timeout: 5)
            let logger = Logger(label: "test")
            do {
                let response = try await client.send(
                    kind: .handle, chatbotId: "bot_1", envelope: Data(Self.envelope("wa", "49111").utf8), apiKey: "k", idempotencyKey: "wa:1",
                    logger: logger)
                #expect(response.status == 200)
                let found = try await client.findConversation(chatbotId: "bot_1", channelId: "wa", providerId: "49111", apiKey: "k", logger: logger)
                let id = try #require(found["id"]?.string)
                let updated = try await client.updateConversation(chatbotId: "bot_1", conversationId: id, body: ["topic": "x"], apiKey: "k", logger: logger)
                #expect(updated["topic"]?.string == "x")
                let listed = try await client.listConversations(chatbotId: "bot_1", channelId: "wa", apiKey: "k", logger: logger)
                #expect(listed["items"]?.items.count == 1)
                _ = try await client.sendPayload(.init(chatbotId: "bot_1", conversationId: id, eventPayload: "{}", isDebug: true), apiKey: "k", logger: logger)
                _ = try await client.sendCustomEvent(chatbotId: "bot_1", conversationId: id, event: "done", apiKey: "k", logger: logger)
                #expect(try await client.deleteConversation(chatbotId: "bot_1", conversationId: id, apiKey: "k", logger: logger))
                await #expect(throws: ChatbotAPIClient.APIError.self) {
                    try await client.getConversation(chatbotId: "bot_1", conversationId: id, apiKey: "k", logger: logger)
                }
                #expect(mock.recordedSteps.map(\.status) == [200, 200])
            } catch {
                try await http.shutdown()
                throw error
            }
            try await http.shutdown()
        }
    }
}
