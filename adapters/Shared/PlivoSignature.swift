import Foundation
import GangwayCore

/// Plivo's V3 signature, shared by Plivo Messaging and Plivo Voice:
/// `X-Plivo-Signature-V3` = base64(HMAC-SHA256(Auth Token, base + "." + nonce)) with the nonce
/// from `X-Plivo-Signature-V3-Nonce`. The header may list several signatures, comma-separated
/// (main account and subaccount tokens); one match is enough.
///
/// `base` follows Plivo's SDK (`plivo.utils.signature_v3.construct_post_url` / `construct_get_url`):
/// - GET: the URL without its query, then `?` and the query parameters sorted by name as
///   `k=v&k=v` (only when there are any).
/// - POST: the URL without its query, then `?` + sorted query (when there is a query or a body),
///   then `.` (only when both exist), then the body parameters sorted by name as `keyvalue...`
///   without separators. A repeated name contributes each of its values, sorted.
///
/// Only what is signed is read (``parameters(_:)``): a POST's body is always signed, and read, as
/// url-encoded form parameters, whatever its `Content-Type` says; Plivo's SDK has no notion of a
/// content type either. (A body left out of the signed string for a JSON content type, yet read
/// as a form, let any signature of the bare URL carry any message.)
enum PlivoSignature {
    static let header = "x-plivo-signature-v3"
    static let nonceHeader = "x-plivo-signature-v3-nonce"

    /// The string Plivo signs before `.nonce` is appended.
    static func base(method: String, url: String, body: [FormField]) -> String {
        let query = FormField.parseQuery(ofURL: url)
        var base = urlWithoutQuery(url)
        let sortedQuery = grouped(query).flatMap { name, values in values.map { "\(name)=\($0)" } }.joined(separator: "&")
        if method == "GET" {
            return sortedQuery.isEmpty ? base : base + "?" + sortedQuery
        }
        if !sortedQuery.isEmpty || !body.isEmpty { base += "?" + sortedQuery }
        if !sortedQuery.isEmpty && !body.isEmpty { base += "." }
        return base + grouped(body).flatMap { name, values in values.map { name + $0 } }.joined()
    }

    /// Checks the V3 signature of a request.
    /// - Throws: ``AdapterError`` (`unauthorized`) naming the URL and headers that were used.
    static func verify(_ request: InboundRequest, authToken: String) throws(AdapterError) {
        var diagnosis = ["header": header, "url": request.url, "bodyBytes": String(request.body.count)]
        guard let given = request.headers[header] else {
            throw .unauthorized("missing X-Plivo-Signature-V3 header", diagnosis: diagnosis)
        }
        guard let nonce = request.headers[nonceHeader], !nonce.isEmpty else {
            throw .unauthorized("missing X-Plivo-Signature-V3-Nonce header", diagnosis: diagnosis)
        }
        // A POST's body is signed exactly as ``parameters(_:)`` reads it: as a form, whatever the content type.
        var form: [FormField] = []
        if request.method != "GET" {
            guard let fields = FormField.parse(request.body) else {
                throw .unauthorized("the body is not a url-encoded form, so no V3 signature can cover it", diagnosis: diagnosis)
            }
            form = fields
        }
        let expected = signature(base: base(method: request.method, url: request.url, body: form), nonce: nonce, authToken: authToken)
        let candidates = given.split(separator: ",").compactMap { Signatures.fromBase64($0.trimmingCharacters(in: .whitespaces)) }
        // Check every candidate so that the time does not tell which one matched.
        let matches = candidates.map { Signatures.constantTimeEquals($0, expected) }
        guard matches.contains(true) else {
            diagnosis["hint"] = "the URL must be exactly what Plivo requested: check server.publicURL and trustedProxies"
            throw .unauthorized(
                "X-Plivo-Signature-V3 does not match (\(candidates.count) signature(s) checked for \(request.method) \(request.url))",
                diagnosis: diagnosis)
        }
    }

    /// The parameters of a request, exactly those the V3 signature covers: the query of a GET;
    /// the body of a POST as url-encoded form fields, whatever its `Content-Type` (its URL query
    /// is signed too, but Plivo puts no callback parameters there).
    /// - Throws: ``AdapterError`` (`badRequest`) for an empty or malformed form.
    static func parameters(_ request: InboundRequest) throws(AdapterError) -> [FormField] {
        // Parsed from the URL again, as the signature's base is, not taken from `request.query`.
        if request.method == "GET" { return FormField.parseQuery(ofURL: request.url) }
        return try request.formBody()
    }

    static func signature(base: String, nonce: String, authToken: String) -> [UInt8] {
        Signatures.hmac(.sha256, key: authToken, message: Array("\(base).\(nonce)".utf8))
    }

    /// Adds V3 signature headers the way Plivo does, with a nonce derived from the body and time.
    static func sign(_ request: inout SampleRequest, authToken: String) {
        let seed = Signatures.sha256(request.body + Array(String(request.now.timeIntervalSince1970).utf8))
        let nonce = String(seed.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        let form = request.method == "POST" ? (FormField.parse(request.body) ?? []) : []
        let mac = signature(base: base(method: request.method, url: request.url, body: form), nonce: nonce, authToken: authToken)
        request.headers.append(("X-Plivo-Signature-V3", Signatures.base64(mac)))
        request.headers.append(("X-Plivo-Signature-V3-Nonce", nonce))
    }

    // MARK: Helpers

    private static func urlWithoutQuery(_ url: String) -> String {
        let end = url.firstIndex(where: { $0 == "?" || $0 == "#" }) ?? url.endIndex
        return String(url[..<end])
    }

    /// Fields grouped by name, names and each name's values sorted by code point (as Python sorts).
    private static func grouped(_ fields: [FormField]) -> [(String, [String])] {
        var byName: [String: [String]] = [:]
        for f in fields { byName[f.name, default: []].append(f.value) }
        let codePointOrder: (String, String) -> Bool = { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
        return byName.sorted { codePointOrder($0.key, $1.key) }.map { ($0.key, $0.value.sorted(by: codePointOrder)) }
    }
}
