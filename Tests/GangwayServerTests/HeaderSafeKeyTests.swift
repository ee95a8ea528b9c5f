import Foundation
import GangwayCore
import GangwayDelivery
import GangwayServer
import NIOHTTP1
import Testing

/// A provider's id travels as the `idempotency-key` header and is stored as text: an id that a
/// header cannot carry (NUL, CR LF, a space, non-ASCII) becomes `sha256-<hex>`, the same for every
/// retry, so the call is delivered once with a valid header instead of failing every attempt.
@Suite struct HeaderSafeKeyTests {
    @Test func documentedIdsStayAsTheyAre() {
        for id in ["Ev08MFMKH6", "wamid.HBgLNDkxMjM0NTY3ODkVAgASGBQzQTdDRkY1RjRGMjM1RTg2QUJDOQA=", "CA5f1e2d3c4b5a6:start", "123456789"] {
            #expect(InboundCall.headerSafe(id) == id)
        }
        let hostile = ["Ev\u{0}1", "Ev\r\nX-Injected: 1", "with space", "ünïcode", "", String(repeating: "a", count: 201)]
        for id in hostile {
            let safe = InboundCall.headerSafe(id)
            #expect(safe.hasPrefix("sha256-") && safe.utf8.count == 71 && safe.utf8.allSatisfy { (0x21...0x7E).contains($0) }, "\(id.debugDescription)")
            #expect(InboundCall.headerSafe(id) == safe, "the same id gives the same key")
        }
        #expect(Set(hostile.map(InboundCall.headerSafe)).count == hostile.count)
    }

    static func yaml(_ upstream: String) -> String {
        testYAML(upstream: upstream) + "\n  - { id: sl, name: SL, provider: slack, chatbotId: bot_1, secrets: { signingSecret: sl-secret } }\n"
    }

    @Test func aHostileEventIdIsDeliveredOnceWithAValidHeader() async throws {
        try await withGateway(yaml: Self.yaml) { h in
            var text = String(decoding: try sampleBytes("slack", "text.json"), as: UTF8.self)
            text = text.replacingOccurrences(of: #""event_id":"Ev08MFMKH6""#, with: #""event_id":"Ev\u0000\r\nX-Injected: 1""#)
            text = text.replacingOccurrences(of: #""user":"U2147483697""#, with: #""user":"U\u0000x""#)
            let body = Array(text.utf8)
            for _ in 0..<2 {
                let headers = try h.signedSample(channel: "sl", body: body, contentType: "application/json")
                #expect(try await h.send(.POST, "/webhooks/sl", body: body, headers: headers).status == 200)
            }
            #expect(try await eventually { h.mock.recorded.count == 1 })
            let call = try #require(h.mock.recorded.first)
            #expect(call.status == 200)
            #expect(call.idempotencyKey == "sl:" + InboundCall.headerSafe("Ev\u{0}\r\nX-Injected: 1"))
            // The envelope keeps what the provider sent.
            #expect(call.json?["providerId"]?.string == "U\u{0}x")
        }
    }
}
