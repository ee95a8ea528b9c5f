import Foundation
import GangwayCore
import GangwayDelivery
import GangwayServer
import InMemoryLogging
import Logging
import NIOHTTP1
import Testing

@Suite struct WebhookIngressTests {
    @Test func aSignedWebhookIsCommittedAcknowledgedAndForwarded() async throws {
        try await withGateway { h in
            let body = try sampleBytes("whatsapp", "batch.json")
            let reply = try await h.send(
                .POST, "/webhooks/wa", body: body, headers: try h.signedSample(channel: "wa", body: body, contentType: "application/json"))
            #expect(reply.status == 200)
            #expect(reply.body == "EVENT_RECEIVED")
            #expect(try await eventually { h.mock.recorded.count == 3 })
            let calls = h.mock.recorded
            #expect(Set(calls.compactMap(\.idempotencyKey)) == ["wa:wamid.batch.1", "wa:wamid.batch.2", "wa:wamid.batch.3"])
            #expect(calls.allSatisfy { $0.apiKey == "wa-key" && $0.path == "/v1/chatbots/bot_1/conversations/handle" })
            // Calls of one conversation arrive in the provider's order.
            let max = calls.filter { $0.json?["providerId"]?.string == "49123456789" }.compactMap(\.idempotencyKey)
            #expect(max == ["wa:wamid.batch.1", "wa:wamid.batch.3"])
        }
    }

    @Test func theSameWebhookTwiceIsDeliveredOnce() async throws {
        try await withGateway { h in
            let body = try sampleBytes("telegram", "text.json")
            let headers = try h.signedSample(channel: "tg", body: body, contentType: "application/json")
            #expect(try await h.send(.POST, "/webhooks/tg", body: body, headers: headers).status == 200)
            #expect(try await h.send(.POST, "/webhooks/tg", body: body, headers: headers).status == 200)
            #expect(try await eventually { h.mock.recorded.count == 1 })
            try await Task.sleep(for: .milliseconds(200))
            #expect(h.mock.recorded.count == 1)
            #expect(h.mock.recorded.first?.apiKey == "default-key")
        }
    }

    @Test func wrongOrMissingSignatureIs401AndNothingIsStored() async throws {
        try await withGateway { h in
            let body = try sampleBytes("whatsapp", "text.json")
            var headers = try h.signedSample(channel: "wa", body: body, contentType: "application/json")
            var tampered = body
            tampered[20] ^= 1
            #expect(try await h.send(.POST, "/webhooks/wa", body: tampered, headers: headers).status == 401)
            headers.removeAll { $0.0.lowercased() == "x-hub-signature-256" }
            #expect(try await h.send(.POST, "/webhooks/wa", body: body, headers: headers).status == 401)
            let stats = try await h.gateway.store.statistics()
            #expect(stats.pending + stats.delivered + stats.dead == 0)
            #expect(h.mock.recorded.isEmpty)
            // The refusal is logged with what was checked, never the secret or the whole signature.
            let refused = h.logs.entries.filter { $0.message.description == "webhook refused: verification failed" }
            #expect(refused.count == 2)
            #expect(refused.first?.metadata["gangway.check.header"]?.description == "x-hub-signature-256")
            let everything = h.logs.entries.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
            #expect(!everything.contains("wa-secret"))
            #expect(!everything.contains("tw-token"))
            #expect(!everything.contains("default-key"))
        }
    }

    @Test func reportModeLetsAFailedCheckThroughAndSaysSo() async throws {
        try await withGateway(yaml: { testYAML(upstream: $0, whatsappVerification: "report") }) { h in
            let body = try sampleBytes("whatsapp", "text.json")
            let reply = try await h.send(
                .POST, "/webhooks/wa", body: body, headers: [("content-type", "application/json"), ("x-hub-signature-256", "sha256=00")])
            #expect(reply.status == 200)
            #expect(try await eventually { h.mock.recorded.count == 1 })
            #expect(h.logs.entries.contains { $0.message.description == "verification failed, let through (report mode)" })
        }
    }

    @Test func statusCodesForBadRequests() async throws {
        try await withGateway { h in
            #expect(try await h.send(.POST, "/webhooks/nope", body: Array("{}".utf8)).status == 404)
            let garbage: [UInt8] = Array("not json at all".utf8)
            #expect(try await h.send(.POST, "/webhooks/tg", body: garbage, headers: [("x-telegram-bot-api-secret-token", "tg-secret")]).status == 400)
            #expect(
                try await h.send(.POST, "/webhooks/tg", body: [0xFF, 0xFE, 0x00], headers: [("x-telegram-bot-api-secret-token", "tg-secret")]).status == 400)
            #expect(try await h.send(.POST, "/webhooks/tg", body: [], headers: [("x-telegram-bot-api-secret-token", "tg-secret")]).status == 400)
            // An authentic update of a kind that is not mapped: 200, ignored, nothing stored.
            let inline = Array(#"{"update_id": 77, "inline_query": {"id": "1", "from": {"id": 1}, "query": "q", "offset": ""}}"#.utf8)
            #expect(try await h.send(.POST, "/webhooks/tg", body: inline, headers: [("x-telegram-bot-api-secret-token", "tg-secret")]).status == 200)
            #expect(try await h.send(.GET, "/webhooks/tg").status == 405)
            let big = [UInt8](repeating: 0x20, count: 5000)
            #expect(try await h.send(.POST, "/webhooks/tg", body: big, headers: [("x-telegram-bot-api-secret-token", "tg-secret")]).status == 413)
            let stats = try await h.gateway.store.statistics()
            #expect(stats.pending + stats.delivered == 0)
        }
    }

    @Test func metaHandshake() async throws {
        try await withGateway { h in
            let ok = try await h.send(.GET, "/webhooks/wa?hub.mode=subscribe&hub.challenge=987654&hub.verify_token=wa-verify")
            #expect(ok.status == 200)
            #expect(ok.body == "987654")
            #expect(try await h.send(.GET, "/webhooks/wa?hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong").status == 403)
        }
    }

    @Test func twilioVerifiesAgainstThePublicURLAndForwardedHeadersOnlyFromTrustedProxies() async throws {
        let body = try sampleBytes("twilio", "sms.form")
        // Not trusted: X-Forwarded-* are ignored, publicURL is used.
        try await withGateway { h in
            let headers = try h.signedSample(channel: "sms", body: body, contentType: "application/x-www-form-urlencoded")
            let reply = try await h.send(.POST, "/webhooks/sms", body: body, headers: headers)
            #expect(reply.status == 200)
            #expect(reply.header("content-type")?.hasPrefix("text/xml") == true)
            #expect(reply.body.hasSuffix("<Response/>"))
            let forged = try h.signedSample(
                channel: "sms", body: body, contentType: "application/x-www-form-urlencoded", url: "https://evil.example/webhooks/sms")
            let spoof = try await h.send(
                .POST, "/webhooks/sms", body: body, headers: forged + [("x-forwarded-proto", "https"), ("x-forwarded-host", "evil.example")])
            #expect(spoof.status == 401)
        }
        // Trusted (loopback added to trustedProxies) and no publicURL: the forwarded URL is believed.
        // (With publicURL set it wins over X-Forwarded-*, DESIGN.md section 1; see the next test.)
        try await withGateway(
            yaml: { testYAML(upstream: $0).replacingOccurrences(of: "  publicURL: https://hooks.example.com\n", with: "") }, trustedLoopback: true
        ) { h in
            let proxied = try h.signedSample(
                channel: "sms", body: body, contentType: "application/x-www-form-urlencoded", url: "https://edge.example:8443/webhooks/sms")
            let reply = try await h.send(
                .POST, "/webhooks/sms", body: body,
                headers: proxied + [("x-forwarded-proto", "https"), ("x-forwarded-host", "edge.example"), ("x-forwarded-port", "8443")])
            #expect(reply.status == 200)
        }
    }

    @Test func aStoreThatCannotCommitAnswers503() async throws {
        try await withGateway(store: FailingStore()) { h in
            let body = try sampleBytes("telegram", "text.json")
            let reply = try await h.send(.POST, "/webhooks/tg", body: body, headers: [("x-telegram-bot-api-secret-token", "tg-secret")])
            #expect(reply.status == 503)
            #expect(reply.header("retry-after") != nil)
            #expect(try await h.send(.GET, "/readyz").status == 503)
        }
    }

    @Test func healthAndReadiness() async throws {
        try await withGateway { h in
            #expect(try await h.send(.GET, "/healthz").status == 200)
            #expect(try await h.send(.GET, "/readyz").status == 200)
            #expect(try await h.send(.GET, "/metrics").status == 200)
            h.gateway.state.setPhase(.draining)
            #expect(try await h.send(.GET, "/readyz").status == 503)
            let body = try sampleBytes("telegram", "text.json")
            #expect(try await h.send(.POST, "/webhooks/tg", body: body, headers: [("x-telegram-bot-api-secret-token", "tg-secret")]).status == 503)
        }
    }
}

/// A store whose disk is gone: every operation fails.
struct FailingStore: DeliveryStore {
    struct Broken: Error {}
    func prepare() async throws {}
    func enqueue(_ calls: [NewDelivery], now: Date) async throws -> EnqueueOutcome { throw Broken() }
    func recordDead(_ call: NewDelivery, status: Int?, error: String, now: Date) async throws { throw Broken() }
    func claim(limit: Int, now: Date, lease: Double) async throws -> [Delivery] { throw Broken() }
    func renew(ids: [Int64], until: Date) async throws { throw Broken() }
    func markDelivered(id: Int64, status: Int, now: Date) async throws { throw Broken() }
    func markRetry(id: Int64, status: Int?, error: String, nextAttemptAt: Date) async throws { throw Broken() }
    func markDead(id: Int64, status: Int?, error: String, now: Date) async throws { throw Broken() }
    func postpone(ids: [Int64], until: Date) async throws { throw Broken() }
    func nextDue(after: Date) async throws -> Date? { throw Broken() }
    func list(state: DeliveryState?, channel: String?, limit: Int) async throws -> [Delivery] { throw Broken() }
    func get(id: Int64) async throws -> Delivery? { throw Broken() }
    func replay(id: Int64, now: Date) async throws -> Int { throw Broken() }
    func replayAll(channel: String?, now: Date) async throws -> Int { throw Broken() }
    func purgeDead(olderThan: Date?) async throws -> Int { throw Broken() }
    func expireDelivered(before: Date) async throws -> Int { throw Broken() }
    func statistics() async throws -> StoreStatistics { throw Broken() }
    func ping() async throws { throw Broken() }
}
