import Foundation
import GangwayDelivery
import Testing

/// The console's live view keeps each channel's last webhooks, newest first, and what is new since
/// a sequence number.
@Suite struct RecentWebhooksTests {
    @Test func aChannelKeepsItsLastWebhooksNewestFirst() {
        let recent = RecentWebhooks(capacity: 3)
        for i in 1...7 {
            recent.record(channel: i % 2 == 0 ? "even" : "odd", receivedAt: Date(), method: "POST", subpath: "", outcome: "o\(i)", status: 200, calls: [])
        }
        #expect(recent.list(channel: "odd").map(\.outcome) == ["o7", "o5", "o3"])
        #expect(recent.list(channel: "even").map(\.outcome) == ["o6", "o4", "o2"])
        #expect(recent.list(channel: "odd", after: 5).map(\.outcome) == ["o7"])
        #expect(recent.list(channel: "none").isEmpty)
        for i in 8...20 { recent.record(channel: "odd", receivedAt: Date(), method: "POST", subpath: "", outcome: "o\(i)", status: 200, calls: []) }
        #expect(recent.list(channel: "odd").map(\.outcome) == ["o20", "o19", "o18"])
        #expect(recent.list(channel: "odd").map(\.sequence) == [20, 19, 18])
    }
}
