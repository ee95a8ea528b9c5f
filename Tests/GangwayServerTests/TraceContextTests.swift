import Foundation
import GangwayCore
import GangwayDelivery
import GangwayServer
import NIOHTTP1
import Testing

/// W3C Trace Context as the gateway reads and passes it on (DESIGN.md, section 4, "Tracing").
/// The spans themselves, exported over OTLP, are tested end to end (Tests/e2e/test_tracing.py).
@Suite struct TraceContextTests {
    @Test func aTraceparentIsParsedStrictly() throws {
        let good = try #require(TraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        #expect(good.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(good.parentID == "00f067aa0ba902b7")
        #expect(good.flags == "01")
        #expect(good.description == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        // A later version may add fields after the four it knows.
        #expect(TraceParent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra") != nil)
        let bad = [
            "", "00", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // uppercase
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // all-zero trace id
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // all-zero parent id
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // version ff
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",  // version 00 has four fields
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01", "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736\n-00f067aa0ba902b7-01", "\u{0}\u{0}-é-é-é",
        ]
        for value in bad { #expect(TraceParent(value) == nil, "\(value.debugDescription)") }
        let random = TraceParent.random()
        #expect(TraceParent(random.description) == random)
        #expect(random.flags == "00")
    }

    @Test func theStoredFormKeepsTraceparentAndTracestate() {
        let stored = CallTracing.stored(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", tracestate: "a=1,b=2")
        #expect(
            CallTracing.headers(stored: stored) == ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "tracestate": "a=1,b=2"])
        #expect(CallTracing.headers(stored: "garbage\nx=1").isEmpty, "a stored value that is not a traceparent sends nothing")
        #expect(CallTracing.headers(stored: "").isEmpty)
    }

    @Test func withoutATracerTheIncomingContextIsPassedOnAsItIs() {
        let off = CallTracing.off
        #expect(!off.isOn)
        let incoming = ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "tracestate": "v=1"]
        #expect(off.contextToStore(nil, incoming: incoming) == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\nv=1")
        #expect(off.contextToStore(nil, incoming: ["traceparent": "nonsense", "tracestate": "v=1"]) == nil)
        #expect(off.contextToStore(nil, incoming: [:]) == nil)
    }

    @Test func theCallsOfAWebhookCarryItsTraceparentToTheChatbotAPI() async throws {
        try await withGateway { h in
            let parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
            let update = #"{"update_id": 9001, "message": {"message_id": 1, "chat": {"id": 42, "type": "private"}, "date": 1764064800, "text": "hi"}}"#
            let headers = [
                ("content-type", "application/json"), ("x-telegram-bot-api-secret-token", "tg-secret"), ("traceparent", parent),
                ("tracestate", "vendor=1"),
            ]
            #expect(try await h.send(.POST, "/webhooks/tg", body: Array(update.utf8), headers: headers).status == 200)
            #expect(try await eventually { h.mock.recorded.count == 1 })
            #expect(h.mock.recorded.first?.traceparent == parent)
            // The stored call keeps the context: a replayed dead letter stays in its trace.
            let stored = try await h.gateway.store.list(state: nil, channel: "tg", limit: 10)
            #expect(stored.first?.traceContext == parent + "\nvendor=1")
            // The console's live view names the trace.
            let recent = try JSONValue.parse(Array(try await h.admin(.GET, "/channels/tg/recent").body.utf8))
            #expect(recent[path: "items"]?.items.first?["traceId"]?.string == "0af7651916cd43dd8448eb211c80319c")
        }
    }
}
