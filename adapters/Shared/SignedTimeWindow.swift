import Foundation
import GangwayCore

/// The `toleranceSeconds` setting of providers that sign a time (Slack, Standard Webhooks,
/// Bird): how far the signed time may be from our clock, 300 s unless the channel says otherwise.
enum SignedTimeWindow {
    static let defaultSeconds: Double = 300

    static func tolerance(of channel: ChannelConfiguration) -> Double {
        channel.settings["toleranceSeconds"].flatMap(Double.init).map { max(0, $0) } ?? defaultSeconds
    }
}
