import Foundation

/// WeChat's flat `<xml><Name>value</Name>…</xml>` documents: top-level elements only, CDATA
/// sections and the five predefined entities understood. Nested elements keep their raw text.
/// (FoundationXML is not needed for this shape, and is not available everywhere alike.)
enum WeChatXML {
    /// The children of the root element by name; nil when the bytes are not such a document.
    static func parse(_ bytes: [UInt8]) -> [String: String]? {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        var s = Substring(text)
        if let decl = s.range(of: "?>"), s.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("<?xml") { s = s[decl.upperBound...] }
        s = s.drop(while: \.isWhitespace)
        guard s.hasPrefix("<xml>"), let end = s.range(of: "</xml>", options: .backwards) else { return nil }
        var body = s[s.index(s.startIndex, offsetBy: 5)..<end.lowerBound]
        var fields: [String: String] = [:]
        while true {
            body = body.drop(while: \.isWhitespace)
            if body.isEmpty { return fields }
            guard body.first == "<", let close = body.firstIndex(of: ">") else { return nil }
            let name = body[body.index(after: body.startIndex)..<close]
            guard !name.isEmpty, !name.contains("/"), !name.contains(" ") else { return nil }
            let rest = body[body.index(after: close)...]
            guard let endTag = rest.range(of: "</\(name)>") else { return nil }
            fields[String(name)] = value(rest[..<endTag.lowerBound])
            body = rest[endTag.upperBound...]
        }
    }

    private static func value(_ raw: Substring) -> String {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("<![CDATA["), trimmed.hasSuffix("]]>") {
            return String(trimmed.dropFirst(9).dropLast(3))
        }
        return String(raw)
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
