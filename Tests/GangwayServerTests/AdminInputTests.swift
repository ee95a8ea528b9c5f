import Foundation
import GangwayCore
import NIOHTTP1
import Testing

/// Hostile query values on the admin API get a 400 with a reason, never a 500 or a surprise
/// (`Double("inf")` would have purged with no age bound; NUL reaches PostgreSQL as an error).
@Suite struct AdminInputTests {
    @Test func olderThanHoursIsPlainDecimalHours() async throws {
        try await withGateway { h in
            for bad in ["inf", "1e400", "1e3", "0x10", "-1", "1.", ".5", "nan", "1000001", "%20"] {
                let reply = try await h.admin(.DELETE, "/deliveries?state=dead&olderThanHours=\(bad)")
                #expect(reply.status == 400, "\(bad)")
                #expect(reply.body.contains("olderThanHours must be a number of hours from 0 to 1000000"))
            }
            for good in ["0", "0.5", "12", "1000000"] {
                let reply = try await h.admin(.DELETE, "/deliveries?state=dead&olderThanHours=\(good)")
                #expect(reply.status == 200, "\(good)")
            }
        }
    }

    @Test func aChannelFilterWithAControlCharacterIs400() async throws {
        try await withGateway { h in
            let statuses = [
                try await h.admin(.GET, "/deliveries?channel=tg%00x").status, try await h.admin(.POST, "/deliveries/replay?channel=%0A").status,
                try await h.admin(.GET, "/deliveries?channel=tg").status, try await h.admin(.POST, "/deliveries/replay?channel=tg").status,
            ]
            #expect(statuses == [400, 400, 200, 200])
        }
    }
}
