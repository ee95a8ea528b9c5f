import Foundation
import GangwayCore

extension ChannelConfiguration {
    /// The `toleranceSeconds` setting: how far a signed timestamp may be from the receive
    /// time. 300 s when unset or not a positive number.
    var replayToleranceSeconds: Double {
        guard let text = settings["toleranceSeconds"], let value = Double(text), value > 0 else { return 300 }
        return value
    }
}
