import Foundation
import GangwayCore

/// The transport Meta's webhooks share (WhatsApp, Messenger, Instagram): the
/// `hub.challenge` handshake and the `X-Hub-Signature-256` HMAC over the raw body.
enum MetaWebhook {
    static func handshake(_ request: InboundRequest, verifyToken: String) throws(AdapterError) -> AdapterResponse? {
        guard request.method == "GET" else { return nil }
        guard request.queryValue("hub.mode") == "subscribe", let challenge = request.queryValue("hub.challenge") else {
            throw .badRequest("GET without hub.mode=subscribe and hub.challenge")
        }
        guard let token = request.queryValue("hub.verify_token"), Signatures.constantTimeEquals(token, verifyToken) else {
            throw .forbidden("hub.verify_token does not match verifyToken")
        }
        return .ok(challenge)
    }

    /// Checks `X-Hub-Signature-256` with the channel's key (built once per channel, not per request).
    static func verifySignature(_ request: InboundRequest, key: HMACKey) throws(AdapterError) {
        let header = "x-hub-signature-256"
        func diagnosis() -> [String: String] { ["header": header, "bodyBytes": String(request.body.count)] }
        guard let value = request.headers[header] else {
            throw .unauthorized("missing X-Hub-Signature-256 header", diagnosis: diagnosis())
        }
        guard value.hasPrefix("sha256="), let given = Signatures.fromHex(value.dropFirst(7)) else {
            throw .unauthorized("X-Hub-Signature-256 is not sha256=<hex>", diagnosis: diagnosis())
        }
        let expected = Signatures.hmac(.sha256, key: key, message: request.body)
        guard Signatures.constantTimeEquals(given, expected) else {
            throw .unauthorized("X-Hub-Signature-256 does not match the body (wrong appSecret or altered body)", diagnosis: diagnosis())
        }
    }

    static func sign(_ request: inout SampleRequest, appSecret: String) {
        let mac = Signatures.hmac(.sha256, key: appSecret, message: request.body)
        request.headers.append(("X-Hub-Signature-256", "sha256=" + Signatures.hex(mac)))
    }
}
