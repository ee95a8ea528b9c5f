import Foundation

/// Converts providers' time values to the envelope's ISO 8601 UTC form.
public enum Timestamps {
    /// `2026-11-24T10:00:00Z` from unix seconds (a string or number of seconds); fractions of a
    /// second are dropped.
    ///
    /// Written by hand (days to civil date, Howard Hinnant's algorithm) for years 1 to 9999, since
    /// Foundation's ISO 8601 style goes through a calendar on each call, on the ingest path. Other
    /// times are clamped into those years.
    public static func iso8601(unixSeconds: Double) -> String {
        // Outside years 1 to 9999 (or NaN, an infinity) the time is clamped into them: a provider's
        // absurd number never reaches a trapping conversion.
        let clamped = unixSeconds.isNaN ? 0 : min(max(unixSeconds, -62_135_596_800), 253_402_300_799)
        let total = Int64(clamped.rounded(.down))
        var days = total / 86_400
        var secondOfDay = total % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        // civil_from_days
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)

        var out = [UInt8]()
        out.reserveCapacity(20)
        func put(_ value: Int64, width: Int) {
            var digits = [UInt8](repeating: 0x30, count: width)
            var v = value
            for i in stride(from: width - 1, through: 0, by: -1) {
                digits[i] = UInt8(truncatingIfNeeded: 0x30 + v % 10)
                v /= 10
            }
            out += digits
        }
        put(year, width: 4)
        out.append(0x2D)
        put(month, width: 2)
        out.append(0x2D)
        put(day, width: 2)
        out.append(0x54)
        put(secondOfDay / 3600, width: 2)
        out.append(0x3A)
        put(secondOfDay % 3600 / 60, width: 2)
        out.append(0x3A)
        put(secondOfDay % 60, width: 2)
        out.append(0x5A)
        return String(decoding: out, as: UTF8.self)
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
