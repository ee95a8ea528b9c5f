import Foundation
import GangwayCore
import GangwayDelivery
import GangwayServer
import NIOHTTP1
import Testing

/// Only the paths a provider declares below its channel's URL (`ProviderDescriptor.subpaths`) reach
/// its adapter: a messaging channel has none, so `/webhooks/tg/anything` is 404 even when signed.
@Suite struct SubpathTests {
    @Test func anUndeclaredSubpathIsNotFound() async throws {
        try await withGateway { h in
            let update = #"{"update_id": 77, "message": {"message_id": 1, "chat": {"id": 5, "type": "private"}, "date": 1764064800, "text": "x"}}"#
            let headers = [("content-type", "application/json"), ("x-telegram-bot-api-secret-token", "tg-secret")]
            let reply = try await h.send(.POST, "/webhooks/tg/extra", body: Array(update.utf8), headers: headers)
            #expect(reply.status == 404)
            #expect(reply.body.contains("telegram serves no /extra below its webhook"))
            #expect(try await h.send(.POST, "/webhooks/tg", body: Array(update.utf8), headers: headers).status == 200)
            #expect(try await h.gateway.store.statistics().pending + h.gateway.store.statistics().delivered == 1)
        }
    }
}
