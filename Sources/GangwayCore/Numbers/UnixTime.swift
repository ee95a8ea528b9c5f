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
