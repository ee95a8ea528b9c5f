import Foundation
import GangwayCore

extension ChannelConfiguration {
    /// The `toleranceSeconds` setting: how far a signed timestamp may be from the receive
    /// time. 300 s when unset; the config loader refuses anything but a number from 1 to 86400
    /// (an `inf` here would switch the replay check off).
    var replayToleranceSeconds: Double {
        guard let text = setting(.toleranceSeconds), let value = SafeNumbers.finite(Double(text), in: ConfigKey.toleranceSecondsRange) else { return 300 }
        return value
    }
}
