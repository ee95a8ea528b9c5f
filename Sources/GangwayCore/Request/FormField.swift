import Foundation

/// One `name=value` pair of a query string or url-encoded form, decoded.
public struct FormField: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// Parses `application/x-www-form-urlencoded` bytes; nil when they are not valid
    /// (bad percent escapes, or bytes that are not UTF-8 once decoded).
    public static func parse(_ bytes: some Collection<UInt8>) -> [FormField]? { parseBytes([UInt8](bytes)) }

    public static func parse(_ text: String) -> [FormField]? { parseBytes(Array(text.utf8)) }

    /// Splits on `&` (empty pairs skipped) and the first `=`, and decodes `+` and `%XX` byte by byte
    /// (Foundation's `removingPercentEncoding` is many times slower, on every form provider's path).
    private static func parseBytes(_ bytes: [UInt8]) -> [FormField]? {
        var fields: [FormField] = []
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "&") { end += 1 }
            if end > start {
                let pair = bytes[start..<end]
                let equals = pair.firstIndex(of: UInt8(ascii: "="))
                guard let name = decode(pair[start..<(equals ?? end)]) else { return nil }
                let value = equals.map { decode(pair[($0 + 1)..<end]) } ?? ""
                guard let value else { return nil }
                fields.append(FormField(name, value))
            }
            start = end + 1
        }
        return fields
    }

    /// The query of a URL string, decoded; empty when there is none or it is invalid.
    public static func parseQuery(ofURL url: String) -> [FormField] {
        // Byte search: `String.firstIndex(of: Character)` walks grapheme clusters, and this runs
        // for every request.
        let utf8 = url.utf8
        guard let q = utf8.firstIndex(of: UInt8(ascii: "?")) else { return [] }
        var query = utf8[utf8.index(after: q)...]
        if let hash = query.firstIndex(of: UInt8(ascii: "#")) { query = query[..<hash] }
        return parse(String(decoding: query, as: UTF8.self)) ?? []
    }

    /// `+` is a space, `%XX` a byte; nil for a bad escape or bytes that are not UTF-8 once decoded.
    private static func decode(_ bytes: ArraySlice<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let c = bytes[i]
            if c == UInt8(ascii: "+") {
                out.append(0x20)
                i += 1
            } else if c == UInt8(ascii: "%") {
                guard i + 2 < bytes.endIndex, let hi = Signatures.hexDigit(bytes[i + 1]), let lo = Signatures.hexDigit(bytes[i + 2]) else { return nil }
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(c)
                i += 1
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    /// Encodes fields as `application/x-www-form-urlencoded`.
    public static func encode(_ fields: [FormField]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        func enc(_ s: String) -> String {
            (s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s).replacingOccurrences(of: "%20", with: "+")
        }
        return fields.map { "\(enc($0.name))=\(enc($0.value))" }.joined(separator: "&")
    }
}
