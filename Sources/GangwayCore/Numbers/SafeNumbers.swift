import Foundation

/// The one place where numbers that a request or the chatbot API can influence become integers
/// or times. Swift traps when a `Double` that is NaN, infinite or out of range is converted with
/// `Int(_:)`, so untrusted numbers never go through that initializer: they come through here,
/// and an unusable value is `nil` (the caller refuses it or falls back to a default).
public enum UnixTime {
    /// The times Gangway accepts: the epoch to the last second of year 9999.
    public static let range: ClosedRange<Int64> = 0...253_402_300_799

    /// A unix time in whole seconds as providers send it in a header or query value: ASCII
    /// decimal digits only (no sign, fraction, exponent, space or `nan`/`inf`), at most 12 of
    /// them, within ``range``. Anything else is nil.
    public static func seconds(_ text: some StringProtocol) -> Int64? {
        let utf8 = text.utf8
        guard !utf8.isEmpty, utf8.count <= 12 else { return nil }
        var value: Int64 = 0
        for c in utf8 {
            guard c >= 0x30, c <= 0x39 else { return nil }
            value = value * 10 + Int64(c - 0x30)
        }
        return range.contains(value) ? value : nil
    }

    /// A JSON NumericDate (RFC 7519, `exp`, `nbf`, `iat`): a finite number within ``range``,
    /// fractions allowed. A string, NaN, an infinity or `1e300` is nil.
    public static func seconds(json: JSONValue?) -> Double? {
        guard case .number(let text)? = json, let d = Double(text), d.isFinite,
            d >= Double(range.lowerBound), d <= Double(range.upperBound)
        else { return nil }
        return d
    }

    /// Whole seconds of a time that is known to be sane (the clock), for signing samples.
    public static func seconds(of date: Date) -> Int64 {
        SafeNumbers.int64(date.timeIntervalSince1970) ?? 0
    }
}

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
