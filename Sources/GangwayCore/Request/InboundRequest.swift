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

extension Array where Element == FormField {
    /// The first value of the field with this name.
    public subscript(field name: String) -> String? {
        first(where: { $0.name == name })?.value
    }
}
