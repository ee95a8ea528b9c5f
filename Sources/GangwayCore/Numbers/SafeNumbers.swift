import Foundation

/// Conversions of untrusted `Double`s that never trap.
public enum SafeNumbers {
    /// `value` rounded towards zero, nil when it is NaN, infinite or outside `Int64`.
    public static func int64(_ value: Double) -> Int64? {
        guard value.isFinite, value > -9.2e18, value < 9.2e18 else { return nil }
        return Int64(value)
    }

    /// `value` rounded to the nearest integer and clamped into `bounds`; nil when it is NaN
    /// (an infinity clamps to the nearer bound).
    public static func int(_ value: Double, clampedTo bounds: ClosedRange<Int>) -> Int? {
        guard !value.isNaN else { return nil }
        let r = value.rounded()
        if r <= Double(bounds.lowerBound) { return bounds.lowerBound }
        if r >= Double(bounds.upperBound) { return bounds.upperBound }
        return Int(r)
    }

    /// A finite `Double` within `bounds`, else nil (NaN, infinities, `1e300`).
    public static func finite(_ value: Double?, in bounds: ClosedRange<Double>) -> Double? {
        guard let value, value.isFinite, bounds.contains(value) else { return nil }
        return value
    }

    /// Seconds as a short log text (`12`, `-3`, `huge`), never trapping.
    public static func describeSeconds(_ value: Double) -> String {
        int64(value).map(String.init) ?? "huge"
    }
}
