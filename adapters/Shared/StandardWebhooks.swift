import Foundation
import GangwayCore

/// Standard Webhooks (standardwebhooks.com; Svix uses the same scheme with `svix-` headers):
/// `webhook-signature: v1,<base64>` (several, space-separated, during key rotation) =
/// HMAC-SHA256 with the base64-decoded `whsec_` secret over `<webhook-id>.<webhook-timestamp>.<raw body>`.
/// Used by the generic `webhook` adapter and by Bird's newest SDK.
enum StandardWebhooks {
    struct Headers {
        var id: String
        var timestamp: String
        var signature: String
    }

    /// The HMAC key of a secret: `whsec_` stripped, then base64-decoded. A secret that is not
    /// base64 (a plain signing key typed into a console) is used as its UTF-8 bytes.
    static func key(fromSecret secret: String) -> [UInt8] {
        let body = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        if let decoded = Data(base64Encoded: body), !decoded.isEmpty { return Array(decoded) }
        return Array(body.utf8)
    }

    /// Whether the request carries Standard Webhooks (or Svix) headers at all.
    static func isPresent(in request: InboundRequest) -> Bool {
        request.headers["webhook-signature"] != nil || request.headers["svix-signature"] != nil
    }

    /// Verifies the signature and the timestamp window.
    /// - Returns: the `webhook-id`, stable across the sender's retries (the dedup key).
    @discardableResult
    static func verify(_ request: InboundRequest, key: [UInt8], tolerance: Double) throws(AdapterError) -> String {
        let prefix = request.headers["webhook-signature"] == nil && request.headers["svix-signature"] != nil ? "svix-" : "webhook-"
        let diagnosis = ["header": prefix + "signature", "bodyBytes": String(request.body.count)]
        guard let id = request.headers[prefix + "id"], !id.isEmpty else {
            throw .unauthorized("missing \(prefix)id header", diagnosis: diagnosis)
        }
        guard let list = request.headers[prefix + "signature"] else {
            throw .unauthorized("missing \(prefix)signature header", diagnosis: diagnosis)
        }
        let timestamp = request.headers[prefix + "timestamp"]
        try Signatures.checkTimestamp(timestamp, header: prefix + "timestamp", now: request.receivedAt, tolerance: tolerance)
        let expected = signature(key: key, id: id, timestamp: timestamp ?? "", body: request.body)
        var versions: [String] = []
        for entry in list.split(separator: " ") {
            let parts = entry.split(separator: ",", maxSplits: 1)
            guard parts.count == 2 else { continue }
            versions.append(String(parts[0]))
            guard parts[0] == "v1", let given = Signatures.fromBase64(String(parts[1])) else { continue }
            if Signatures.constantTimeEquals(given, expected) { return id }
        }
        let seen = versions.isEmpty ? "none readable" : versions.joined(separator: ", ")
        throw .unauthorized(
            "no v1 entry of \(prefix)signature matches (wrong secret or altered body; versions seen: \(seen))", diagnosis: diagnosis)
    }

    static func signature(key: [UInt8], id: String, timestamp: String, body: [UInt8]) -> [UInt8] {
        Signatures.hmac(.sha256, key: key, message: Array("\(id).\(timestamp).".utf8) + body)
    }

    /// Signs a sample as a Standard Webhooks sender would, with a fresh `msg_` id.
    static func sign(_ request: inout SampleRequest, key: [UInt8], id: String = "msg_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")) {
        let timestamp = String(UnixTime.seconds(of: request.now))
        let mac = signature(key: key, id: id, timestamp: timestamp, body: request.body)
        request.headers.append(("webhook-id", id))
        request.headers.append(("webhook-timestamp", timestamp))
        request.headers.append(("webhook-signature", "v1," + Signatures.base64(mac)))
    }
}
