import Foundation
import GangwayCore

/// Vonage's signed webhooks, shared by the Messages API and Vonage Voice: an HS256 JWT in
/// `Authorization: Bearer`, signed with the account's signature secret, whose `payload_hash`
/// claim is the hex SHA-256 of the body.
///
/// Vonage puts only `iat` in the token (no `exp`), so the age is checked here: `iat` at most
/// ``maxAgeSeconds`` old and not in the future beyond ``leewaySeconds``.
enum VonageSignedWebhook {
    static let maxAgeSeconds: Double = 300
    static let leewaySeconds: Double = 60

    /// - Parameter payload: the bytes the `payload_hash` must cover (the body for Messages).
    static func verify(_ request: InboundRequest, signatureSecret: String, payload: [UInt8]) throws(AdapterError) {
        let diagnosis = ["header": "authorization", "bodyBytes": String(request.body.count)]
        guard let token = JWT.bearerToken(request.headers) else {
            throw .unauthorized("missing Authorization: Bearer <JWT> (are signed webhooks enabled?)", diagnosis: diagnosis)
        }
        do throws(JWT.Failure) {
            let jwt = try JWT(token)
            try jwt.verifyHS256(secret: Array(signatureSecret.utf8))
            try jwt.checkTimes(now: request.receivedAt, leeway: leewaySeconds, requireExpiry: false, maxAge: maxAgeSeconds)
            guard let hash = jwt.claims["payload_hash"]?.string else { throw JWT.Failure("JWT has no payload_hash claim") }
            guard Signatures.constantTimeEquals(hash.lowercased(), Signatures.hex(Signatures.sha256(payload))) else {
                throw JWT.Failure("payload_hash does not match the body (altered body)")
            }
        } catch {
            throw .unauthorized("\(error.message) (check signatureSecret: Dashboard → API settings → Signature secret)", diagnosis: diagnosis)
        }
    }

    /// Adds the bearer token Vonage would send (claims as documented; fixed demo api_key).
    static func sign(_ request: inout SampleRequest, signatureSecret: String, payload: [UInt8]) {
        let iat = UnixTime.seconds(of: request.now)
        let jti = Signatures.hex(Signatures.sha256(payload + Array(String(iat).utf8)).prefix(16))
        let claims = JSONValue.object([
            ("iat", .number(String(iat))), ("jti", .string(jti)), ("iss", .string("Vonage")),
            ("payload_hash", .string(Signatures.hex(Signatures.sha256(payload)))), ("api_key", .string("demo0000")),
            ("application_id", .string("aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab")),
        ])
        request.headers.append(("Authorization", "Bearer " + JWT.signHS256(claims: claims, secret: Array(signatureSecret.utf8))))
    }
}
