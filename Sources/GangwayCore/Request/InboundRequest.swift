import Foundation

/// One webhook as an adapter sees it: no framework types, only values.
public struct InboundRequest: Sendable {
    /// `GET`, `POST`, ... in upper case.
    public var method: String
    /// The URL as the provider called it: public scheme, host, port, path and query.
    /// Signatures that cover the URL (Twilio, Plivo) are checked against this.
    public var url: String
    /// What follows `/webhooks/{channel}` in the path (`""` or e.g. `"/activities"`).
    public var subpath: String
    public var headers: HeaderFields
    /// The decoded query parameters in the order they were sent.
    public var query: [FormField]
    /// The raw body bytes exactly as received.
    public var body: [UInt8]
    public var receivedAt: Date

    public init(
        method: String, url: String, subpath: String = "", headers: HeaderFields = HeaderFields(),
        query: [FormField]? = nil, body: [UInt8] = [], receivedAt: Date = Date()
    ) {
        self.method = method.uppercased()
        self.url = url
        self.subpath = subpath
        self.headers = headers
        self.query = query ?? FormField.parseQuery(ofURL: url)
        self.body = body
        self.receivedAt = receivedAt
    }

    /// The first query parameter with this name.
    public func queryValue(_ name: String) -> String? {
        query.first(where: { $0.name == name })?.value
    }

    /// The body parsed as JSON.
    /// - Throws: ``AdapterError/badRequest(_:)`` when the body is empty or not JSON.
    public func jsonBody() throws(AdapterError) -> JSONValue {
        guard !body.isEmpty else { throw .badRequest("empty body, expected JSON") }
        do {
            return try JSONValue.parse(body)
        } catch {
            throw .badRequest(error.description)
        }
    }

    /// The body parsed as `application/x-www-form-urlencoded`.
    /// - Throws: ``AdapterError/badRequest(_:)`` when the body is not a form.
    public func formBody() throws(AdapterError) -> [FormField] {
        guard !body.isEmpty else { throw .badRequest("empty body, expected a form") }
        guard let fields = FormField.parse(body) else { throw .badRequest("body is not a valid url-encoded form") }
        return fields
    }
}

/// Header fields with case-insensitive names, in the order received.
public struct HeaderFields: Sendable, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(name: String, value: String)]

    public init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { (name: $0.0.lowercased(), value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    public subscript(name: String) -> String? {
        let lower = name.lowercased()
        return fields.first(where: { $0.name == lower })?.value
    }

    public mutating func add(_ name: String, _ value: String) {
        fields.append((name: name.lowercased(), value: value))
    }
}

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
        guard let q = url.firstIndex(of: "?") else { return [] }
        var query = url[url.index(after: q)...]
        if let hash = query.firstIndex(of: "#") { query = query[..<hash] }
        return parse(String(query)) ?? []
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

extension Array where Element == FormField {
    /// The first value of the field with this name.
    public subscript(field name: String) -> String? {
        first(where: { $0.name == name })?.value
    }
}
