import Foundation

/// Values a stranger chooses to break a parser: numbers that trap a careless conversion, strings
/// that break escaping, time texts that are not unix seconds. The fuzz targets splice them into
/// requests, and the forgery matrix puts the time texts into signed time headers.
public enum HostileValues {
    /// Numbers as JSON or form text: NaN and infinities in every spelling, values just past the
    /// integer limits, denormals, and forms a strict reader refuses (`0x1F`, `1_000`, `+1`).
    public static let numbers: [String] = [
        "0", "-0", "-1", "1.5", "0.1", "1e300", "-1e300", "1e-300", "1e309", "-1e309", "5e-324", "1.7976931348623157e308",
        "NaN", "nan", "-nan", "inf", "-inf", "Infinity", "-Infinity", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "-9223372036854775809", "18446744073709551616", "4294967296", "2147483648",
        "1" + String(repeating: "0", count: 30), "1e21", "253402300800", "-62135596801", "0x1F", "1_000", "+1", "00", ".5", "5.",
        "1e", "--1", String(repeating: "9", count: 400),
    ]

    /// Strings that break escaping or decoding: quotes, backslashes, escapes of lone surrogates,
    /// CDATA ends, bad percent escapes, control and separator characters, a very long value.
    public static let strings: [String] = [
        "", "\"", "\\", "\\u0000", "\\ud800", "\\udfff\\ud800", "\\uD83D\\uDE00", "]]>", "<![CDATA[", "</xml>", "<a>&amp;</a>", "%",
        "%zz", "%00", "%ff", "%c3%28", "&", "=", "&=&=", "+", "\u{FEFF}", "🙂", "a\nb", "\r\n\r\n", "\u{2028}", "\u{0}", "../../",
        "null", "true", "{}", "[]", "{\"a\":", String(repeating: "[", count: 600), String(repeating: "A", count: 20_000),
        "é" + String(repeating: "\u{301}", count: 200), "\u{202E}abc", "javascript:alert(1)", "tel:+1", "$(id)", "${HOME}",
    ]

    /// Texts in a time header or query value that must be refused without trapping: the
    /// spellings of NaN and infinity, signs, fractions, exponents, spaces, overlong digit runs,
    /// other digit scripts and an empty value. `now` (unix seconds) gives the near-miss forms
    /// (` <now>`, `<now>.0`, `+<now>`).
    public static func timeTexts(now: Int64) -> [String] {
        let n = String(now)
        return [
            "nan", "NaN", "inf", "-inf", "Infinity", "-1", "1e300", "1.5", " 123", "", String(repeating: "9", count: 30),
            "1" + String(repeating: "0", count: 29), " " + n, n + " ", "+" + n, "-" + n, n + ".0", n + "e0", "0x" + String(now, radix: 16),
            "\u{FF11}\u{FF12}\u{FF13}", "\u{0661}\u{0662}\u{0663}", n + "\u{0}", "9223372036854775808", "99999999999999",
        ]
    }
}
