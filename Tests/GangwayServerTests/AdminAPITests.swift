import Foundation
import GangwayCore
import GangwayDelivery
import GangwayServer
import NIOHTTP1
import Testing

@Suite struct AdminAPITests {
    @Test func needsTheBearerTokenAndDoesNotExistWithoutOne() async throws {
        try await withGateway { h in
            #expect(try await h.admin(.GET, "/channels", token: nil).status == 401)
            #expect(try await h.admin(.GET, "/channels", token: "wrong-token").status == 401)
            let ok = try await h.admin(.GET, "/channels")
            #expect(ok.status == 200)
            let json = try JSONValue.parse(Array(ok.body.utf8))
            #expect(json["items"]?.items.map { $0["id"]?.string } == ["wa", "tg", "sms"])
            #expect(json["items"]?[0]?["url"]?.string == "https://hooks.example.com/webhooks/wa")
            #expect(!ok.body.contains("wa-secret") && !ok.body.contains("wa-key"))
        }
        try await withGateway(yaml: { testYAML(upstream: $0, admin: false) }) { h in
            let reply = try await h.admin(.GET, "/channels")
            #expect(reply.status == 404)
        }
    }

    @Test func deadLettersCanBeListedShownReplayedAndPurged() async throws {
        try await withGateway { h in
            h.mock.update {
                $0.failFirst = 1000
                $0.failStatus = 422
            }
            let body = try sampleBytes("telegram", "text.json")
            #expect(try await h.send(.POST, "/webhooks/tg", body: body, headers: [("x-telegram-bot-api-secret-token", "tg-secret")]).status == 200)
            #expect(try await eventually { try await h.gateway.store.statistics().dead == 1 })

            let list = try JSONValue.parse(Array(try await h.admin(.GET, "/deliveries?state=dead&channel=tg&limit=5").body.utf8))
            let item = try #require(list["items"]?[0])
            let id = try #require(item["id"]?.idString)
            #expect(item["state"]?.string == "dead")
            #expect(item["lastStatus"]?.idString == "422")
            #expect(item["idempotencyKey"]?.string == "tg:734892108")
            #expect(item["envelope"]?["channelId"]?.string == "tg")
            #expect(try await h.admin(.GET, "/deliveries?state=bogus").status == 400)

            let one = try await h.admin(.GET, "/deliveries/\(id)")
            #expect(one.status == 200)
            #expect(try JSONValue.parse(Array(one.body.utf8))["attempts"]?.idString == "1")
            #expect(try await h.admin(.GET, "/deliveries/999999").status == 404)

            h.mock.update { $0.failFirst = 0 }
            let replay = try await h.admin(.POST, "/deliveries/\(id)/replay")
            #expect(try JSONValue.parse(Array(replay.body.utf8))["count"]?.idString == "1")
            #expect(try await eventually { try await h.gateway.store.statistics().delivered == 1 })
            #expect(Set(h.mock.recorded.map(\.idempotencyKey)) == ["tg:734892108"])
            #expect(try await h.admin(.POST, "/deliveries/\(id)/replay").status == 409)

            h.mock.update { $0.failFirst = 1000 }
            let other = Array(#"{"update_id": 5, "message": {"message_id": 2, "chat": {"id": 9, "type": "private"}, "date": 1, "text": "x"}}"#.utf8)
            #expect(try await h.send(.POST, "/webhooks/tg", body: other, headers: [("x-telegram-bot-api-secret-token", "tg-secret")]).status == 200)
            #expect(try await eventually { try await h.gateway.store.statistics().dead == 1 })
            #expect(try await h.admin(.DELETE, "/deliveries").status == 400)
            let purge = try await h.admin(.DELETE, "/deliveries?state=dead&olderThanHours=0")
            #expect(try JSONValue.parse(Array(purge.body.utf8))["count"]?.idString == "1")
            let stats = try await h.gateway.store.statistics()
            #expect(stats.dead == 0 && stats.delivered == 1)
        }
    }

    @Test func reloadRefusesAnInvalidFileAndKeepsTheOldConfig() async throws {
        try await withGateway { h in
            let original = try String(contentsOfFile: h.configPath, encoding: .utf8)
            try (original + "\n  - { id: tg, name: Dup, provider: nosuch, chatbotId: b }\n").write(toFile: h.configPath, atomically: true, encoding: .utf8)
            let refused = try await h.admin(.POST, "/reload")
            #expect(refused.status == 422)
            #expect(refused.body.contains("channels[3].provider"))
            #expect(try await h.send(.POST, "/webhooks/tg2", body: Array("{}".utf8)).status == 404)
            // Still serving the old channels.
            let body = try sampleBytes("telegram", "text.json")
            #expect(try await h.send(.POST, "/webhooks/tg", body: body, headers: [("x-telegram-bot-api-secret-token", "tg-secret")]).status == 200)

            try (original + "\n  - { id: tg2, name: TG2, provider: telegram, chatbotId: bot_3, secrets: { secretToken: tg2-secret } }\n")
                .write(toFile: h.configPath, atomically: true, encoding: .utf8)
            let ok = try await h.admin(.POST, "/reload")
            #expect(ok.status == 200)
            let other = Array(#"{"update_id": 6, "message": {"message_id": 2, "chat": {"id": 9, "type": "private"}, "date": 1, "text": "x"}}"#.utf8)
            #expect(try await h.send(.POST, "/webhooks/tg2", body: other, headers: [("x-telegram-bot-api-secret-token", "tg2-secret")]).status == 200)
            #expect(try await eventually { h.mock.recorded.contains { $0.idempotencyKey == "tg2:6" && $0.path.contains("bot_3") } })
        }
    }
}
