import Foundation
import GangwayCore

/// Telnyx's webhook signature, shared by Telnyx Messaging (JSON) and Telnyx TeXML voice (forms):
/// Ed25519 over `timestamp + "|" + raw body` with the account's public key, in the headers
/// `telnyx-signature-ed25519` (base64, 64 bytes) and `telnyx-timestamp` (unix seconds), the
/// timestamp within a tolerance of the receive time.
///
/// The signature covers neither the URL nor its query (Telnyx's SDK,
/// `telnyx.lib.webhook_verification.verify_webhook_signature`, signs `"{timestamp}|{payload}"`
/// with the raw body as payload). A GET's fields all come in the query, so a GET proves nothing
/// beyond its timestamp: only POSTs are accepted, and their fields come from the body alone.
enum TelnyxSignature {
    static let header = "telnyx-signature-ed25519"
    static let timestampHeader = "telnyx-timestamp"

    /// - Throws: ``AdapterError`` (`unauthorized`) naming the headers and the body length, never
    ///   the signature; also for any method but POST.
    static func verify(_ request: InboundRequest, publicKey: String, tolerance: Double) throws(AdapterError) {
        let diagnosis = ["header": header, "timestampHeader": timestampHeader, "bodyBytes": String(request.body.count)]
        guard request.method == "POST" else {
            throw .unauthorized(
                "Telnyx signs only timestamp|body, so a \(request.method)'s query is not covered: set the application's webhook method to POST",
                diagnosis: diagnosis)
        }
        guard let given = request.headers[header] else {
            throw .unauthorized("missing telnyx-signature-ed25519 header", diagnosis: diagnosis)
        }
        let timestamp = request.headers[timestampHeader]
        try Signatures.checkTimestamp(timestamp, header: timestampHeader, now: request.receivedAt, tolerance: tolerance)
        guard let key = Signatures.fromBase64(publicKey), key.count == 32 else {
            throw .unauthorized(
                "the channel's publicKey is not a base64 32-byte Ed25519 key (Mission Control → Keys & Credentials → Public Key)",
                diagnosis: diagnosis)
        }
        guard let signature = Signatures.fromBase64(given), signature.count == 64 else {
            throw .unauthorized("telnyx-signature-ed25519 is not a base64 64-byte signature (\(Signatures.hint(given)))", diagnosis: diagnosis)
        }
        guard Signatures.verifyEd25519(publicKey: key, signature: signature, message: signedBytes(timestamp: timestamp ?? "", body: request.body)) else {
            throw .unauthorized("telnyx-signature-ed25519 does not match (wrong publicKey or altered body)", diagnosis: diagnosis)
        }
    }

    static func signedBytes(timestamp: String, body: [UInt8]) -> [UInt8] {
        Array(timestamp.utf8) + [UInt8(ascii: "|")] + body
    }

    /// Signs with the demo key (``DemoKeys/ed25519Seed``): Telnyx keeps its private key, so
    /// a channel accepts simulated requests only when its `publicKey` is the demo public key.
    static func sign(_ request: inout SampleRequest, seed: [UInt8] = DemoKeys.ed25519Seed) {
        let timestamp = String(UnixTime.seconds(of: request.now))
        let signature = Signatures.signEd25519(seed: seed, message: signedBytes(timestamp: timestamp, body: request.body)) ?? []
        request.headers.append((timestampHeader, timestamp))
        request.headers.append((header, Signatures.base64(signature)))
    }
}
