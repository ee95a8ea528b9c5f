import Foundation
import GangwayCore

/// Bird's own signature schemes (Standard Webhooks lives in ../Shared/StandardWebhooks.swift).
enum BirdSignature {
    static let signatureHeader = "messagebird-signature"
    static let timestampHeader = "messagebird-request-timestamp"
    static let jwtHeader = "messagebird-signature-jwt"

    // MARK: Bird (current): messagebird-signature + messagebird-request-timestamp

    /// HMAC-SHA256 with the signing key over `<timestamp>\n<URL>\n` followed by the 32 raw bytes
    /// of SHA-256(body).
    static func signature(key: String, timestamp: String, url: String, body: [UInt8]) -> [UInt8] {
        Signatures.hmac(.sha256, key: key, message: Array("\(timestamp)\n\(url)\n".utf8) + Signatures.sha256(body))
    }

    static func verifyHMAC(_ request: InboundRequest, key: String, tolerance: Double) throws(AdapterError) {
        let diagnosis = ["header": signatureHeader, "url": request.url, "bodyBytes": String(request.body.count)]
        guard let given = request.headers[signatureHeader] else { throw .unauthorized("missing messagebird-signature header", diagnosis: diagnosis) }
        let timestamp = request.headers[timestampHeader]
        try Signatures.checkTimestamp(timestamp, header: timestampHeader, now: request.receivedAt, tolerance: tolerance)
        guard let givenBytes = Signatures.fromBase64(given) else {
            throw .unauthorized("messagebird-signature is not base64 (\(Signatures.hint(given)))", diagnosis: diagnosis)
        }
        let expected = signature(key: key, timestamp: timestamp ?? "", url: request.url, body: request.body)
        guard Signatures.constantTimeEquals(givenBytes, expected) else {
            throw .unauthorized(
                "messagebird-signature does not match (wrong signingKey, altered body, or the URL Bird called differs from publicURL)",
                diagnosis: diagnosis)
        }
    }

    // MARK: MessageBird (legacy): MessageBird-Signature-JWT

    /// A JWT (HS256 or HS512) signed with the signing key: `iss` MessageBird, `nbf`/`exp` around
    /// now, `url_hash` = hex SHA-256 of the full URL, `payload_hash` = hex SHA-256 of the body
    /// (absent exactly when there is no body).
    static func verifyJWT(_ request: InboundRequest, key: String, tolerance: Double) throws(AdapterError) {
        let diagnosis = ["header": jwtHeader, "url": request.url, "bodyBytes": String(request.body.count)]
        func fail(_ why: String) -> AdapterError { .unauthorized("MessageBird-Signature-JWT: \(why)", diagnosis: diagnosis) }
        guard let token = request.headers[jwtHeader] else { throw fail("missing") }
        let jwt: JWT
        do {
            jwt = try JWT(token)
            try jwt.verifyHMAC(secret: Array(key.utf8), algorithms: ["HS256", "HS512"])
        } catch {
            throw fail(error.message)
        }
        let claims = jwt.claims
        guard claims["iss"]?.string == "MessageBird" else { throw fail("iss is not MessageBird") }
        let now = request.receivedAt.timeIntervalSince1970
        guard let nbf = UnixTime.seconds(json: claims["nbf"]), let exp = UnixTime.seconds(json: claims["exp"]) else { throw fail("nbf and exp are required") }
        guard nbf - tolerance <= now, now <= exp + tolerance else { throw fail("outside its nbf/exp window") }
        let urlHash = Signatures.hex(Signatures.sha256(Array(request.url.utf8)))
        guard let claimed = claims["url_hash"]?.string, Signatures.constantTimeEquals(claimed, urlHash) else {
            throw fail("url_hash does not match the URL (check publicURL)")
        }
        let payloadHash = claims["payload_hash"]?.string
        if request.body.isEmpty {
            guard payloadHash == nil else { throw fail("payload_hash is set but there is no body") }
        } else {
            guard let payloadHash, Signatures.constantTimeEquals(payloadHash, Signatures.hex(Signatures.sha256(request.body))) else {
                throw fail("payload_hash does not match the body")
            }
        }
    }
}
