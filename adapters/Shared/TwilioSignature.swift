import Foundation
import GangwayCore

/// `X-Twilio-Signature`: base64 HMAC-SHA1 (or HMAC-SHA256 when Webhook Settings say so) with
/// the Auth Token over the full public URL followed by each POST parameter, sorted by name,
/// as `name + value`. Shared by Twilio Messaging and Twilio Voice.
enum TwilioSignature {
    static let header = "x-twilio-signature"

    /// The string Twilio signs: the URL, then the sorted form parameters (none for GET or JSON).
    static func signedString(url: String, form: [FormField]) -> String {
        // Sort by name, and by value for a repeated name (as Twilio's SDK does).
        let sorted = form.sorted { $0.name == $1.name ? $0.value < $1.value : $0.name < $1.name }
        return url + sorted.map { $0.name + $0.value }.joined()
    }

    static func verify(_ request: InboundRequest, authToken: String) throws(AdapterError) {
        var diagnosis = ["header": header, "url": request.url, "bodyBytes": String(request.body.count)]
        guard let given = request.headers[header] else {
            throw .unauthorized("missing X-Twilio-Signature header", diagnosis: diagnosis)
        }
        guard let givenBytes = Signatures.fromBase64(given) else {
            throw .unauthorized("X-Twilio-Signature is not base64", diagnosis: diagnosis)
        }
        let isForm = request.method == "POST" && !(request.headers["content-type"] ?? "").contains("json")
        let form = isForm ? (FormField.parse(request.body) ?? []) : []
        let hash: Signatures.Hash =
            (request.headers["x-twilio-webhooks-signature-settings"] ?? "").contains("HMAC_SHA256") ? .sha256 : .sha1
        // Twilio's SDK accepts the URL with and without the default port.
        for url in urlVariants(request.url) {
            let mac = Signatures.hmac(hash, key: authToken, message: Array(signedString(url: url, form: form).utf8))
            if Signatures.constantTimeEquals(mac, givenBytes) {
                if !isForm && !request.body.isEmpty {
                    // A JSON body is covered by the bodySHA256 query parameter, which the URL signature covers.
                    guard let expectedHash = FormField.parseQuery(ofURL: url)[field: "bodySHA256"] else {
                        throw .unauthorized("a non-form body without bodySHA256 in the URL is not covered by the signature", diagnosis: diagnosis)
                    }
                    guard Signatures.constantTimeEquals(Signatures.hex(Signatures.sha256(request.body)), expectedHash.lowercased()) else {
                        throw .unauthorized("bodySHA256 does not match the body", diagnosis: diagnosis)
                    }
                }
                return
            }
        }
        diagnosis["hint"] = "the URL must be exactly what Twilio requested: check server.publicURL and trustedProxies"
        throw .unauthorized("X-Twilio-Signature does not match (URL \(request.url))", diagnosis: diagnosis)
    }

    /// The URL as given, and with the default port added or removed.
    static func urlVariants(_ url: String) -> [String] {
        guard let c = URLComponents(string: url), let scheme = c.scheme else { return [url] }
        let defaultPort = scheme == "https" ? 443 : 80
        var other = c
        if c.port == nil {
            other.port = defaultPort
        } else if c.port == defaultPort {
            other.port = nil
        } else {
            return [url]
        }
        return [url, other.string ?? url]
    }

    static func sign(_ request: inout SampleRequest, authToken: String) {
        let form = request.method == "POST" ? (FormField.parse(request.body) ?? []) : []
        let mac = Signatures.hmac(.sha1, key: authToken, message: Array(signedString(url: request.url, form: form).utf8))
        request.headers.append(("X-Twilio-Signature", Signatures.base64(mac)))
    }
}
