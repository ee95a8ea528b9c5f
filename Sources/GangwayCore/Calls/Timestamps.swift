import Foundation

/// Converts providers' time values to the envelope's ISO 8601 UTC form.
public enum Timestamps {
    /// `2026-11-24T10:00:00Z` from unix seconds (a string or number of seconds).
    public static func iso8601(unixSeconds: Double) -> String {
        Date(timeIntervalSince1970: unixSeconds).formatted(.iso8601)
    }

    public static func iso8601(unixSeconds text: String?) -> String? {
        guard let text, let s = Double(text) else { return nil }
        return iso8601(unixSeconds: s)
    }

    public static func iso8601(unixMilliseconds text: String?) -> String? {
        guard let text, let ms = Double(text) else { return nil }
        return iso8601(unixSeconds: ms / 1000)
    }
}
