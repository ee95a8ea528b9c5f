import GangwayCore
import NIOHTTP1
import Testing

/// `GET /admin/schema/upstream-envelope.json` (DESIGN.md, section 2): the JSON Schema of what
/// Gangway forwards; the end-to-end tests check every forwarded body against it.
@Suite struct EnvelopeSchemaTests {
    @Test func theAdminAPIServesTheSchemaBehindItsToken() async throws {
        try await withGateway { h in
            #expect(try await h.admin(.GET, "/schema/upstream-envelope.json", token: nil).status == 401)
            let reply = try await h.admin(.GET, "/schema/upstream-envelope.json")
            #expect(reply.status == 200)
            #expect(reply.header("content-type") == "application/schema+json")
            let schema = try JSONValue.parse(Array(reply.body.utf8))
            #expect(schema["$schema"]?.string == "https://json-schema.org/draft/2020-12/schema")
            #expect(schema[path: "properties", "event", "enum"]?.items.compactMap(\.string) == UpstreamEnvelope.eventNames)
            #expect(schema[path: "$defs", "message", "properties", "type", "enum"]?.items.compactMap(\.string) == UpstreamEnvelope.messageTypes)
            #expect(schema["additionalProperties"]?.bool == false)
        }
    }

    @Test func theListsAreTheCodesOwn() {
        let events: [EventName] = [
            .userSeenMessage, .messageDelivered, .messageFailed, .userTyping, .messageReaction, .conversationStarted, .userUnsubscribed,
            .callStarted, .callEnded,
        ]
        #expect(events.map(\.rawValue) == UpstreamEnvelope.eventNames)
        let types: [MessageType] = [.text, .image, .audio, .video, .document, .sticker, .location, .contact, .postback, .speech, .dtmf, .unsupported]
        #expect(types.map(\.rawValue) == UpstreamEnvelope.messageTypes)
    }
}
