import Foundation
import GangwayCore

/// WeChat Official Account messages (XML), plaintext or safe mode. See README.md beside this file.
struct WeChatAdapter: ChannelAdapter {
    /// WeChat documents no window for the signed `timestamp`; five minutes as elsewhere.
    static let tolerance: Double = 300

    let token: String
    /// The AES key of safe mode; nil in plaintext mode.
    let aesKey: [UInt8]?
    let hasMalformedAESKey: Bool
    let appId: String?

    init(channel: ChannelConfiguration) {
        token = channel.secret("token")
        let encodingAESKey = channel.secret("encodingAESKey")
        aesKey = WeChatCrypto.key(fromEncodingAESKey: encodingAESKey)
        hasMalformedAESKey = !encodingAESKey.isEmpty && aesKey == nil
        appId = channel.settings["appId"].flatMap { $0.isEmpty ? nil : $0 }
    }

    var methods: Set<String> { ["GET", "POST"] }

    /// The server URL check: `GET ?signature&timestamp&nonce&echostr`, answered with `echostr`.
    func handshake(_ request: InboundRequest) throws(AdapterError) -> AdapterResponse? {
        guard request.method == "GET" else { return nil }
        guard let echo = request.queryValue("echostr") else { throw .badRequest("GET without echostr") }
        try checkSignature(request)
        return .ok(echo)
    }

    func verify(_ request: InboundRequest) throws(AdapterError) {
        try checkSignature(request)
        guard let encrypted = encryptedElement(request) else { return }
        let diagnosis = ["header": "query:msg_signature", "bodyBytes": String(request.body.count)]
        guard !hasMalformedAESKey, aesKey != nil else {
            throw .unauthorized("the body is encrypted (safe mode) but encodingAESKey is missing or not 43 characters", diagnosis: diagnosis)
        }
        guard let given = request.queryValue("msg_signature") else { throw .unauthorized("missing msg_signature query parameter", diagnosis: diagnosis) }
        let expected = WeChatCrypto.signature([token, request.queryValue("timestamp") ?? "", request.queryValue("nonce") ?? "", encrypted])
        guard Signatures.constantTimeEquals(given.lowercased(), expected) else {
            throw .unauthorized("msg_signature does not match (wrong token or altered Encrypt)", diagnosis: diagnosis)
        }
    }

    private func checkSignature(_ request: InboundRequest) throws(AdapterError) {
        let diagnosis = ["header": "query:signature", "bodyBytes": String(request.body.count)]
        guard let given = request.queryValue("signature") else { throw .unauthorized("missing signature query parameter", diagnosis: diagnosis) }
        let timestamp = request.queryValue("timestamp")
        try Signatures.checkTimestamp(timestamp, header: "timestamp (query)", now: request.receivedAt, tolerance: Self.tolerance)
        let expected = WeChatCrypto.signature([token, timestamp ?? "", request.queryValue("nonce") ?? ""])
        guard Signatures.constantTimeEquals(given.lowercased(), expected) else {
            throw .unauthorized("signature does not match (wrong token, or timestamp/nonce altered)", diagnosis: diagnosis)
        }
    }

    private func encryptedElement(_ request: InboundRequest) -> String? {
        guard request.method == "POST", let fields = WeChatXML.parse(request.body) else { return nil }
        return fields["Encrypt"]
    }

    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] {
        guard var fields = WeChatXML.parse(request.body) else { throw .badRequest("not a WeChat XML message") }
        if let encrypted = fields["Encrypt"] {
            guard let aesKey, let decrypted = WeChatCrypto.decrypt(encrypted, key: aesKey) else {
                throw .unauthorized("Encrypt does not decrypt with encodingAESKey", diagnosis: ["header": "body:Encrypt"])
            }
            if let appId, decrypted.appId != appId {
                throw .unauthorized("the encrypted message is for another app id", diagnosis: ["header": "body:Encrypt"])
            }
            guard let inner = WeChatXML.parse(decrypted.xml) else { throw .badRequest("the decrypted message is not WeChat XML") }
            fields = inner
        }
        return WeChatMessages.calls(fields).map { [$0] } ?? []
    }

    func acknowledgement(for request: InboundRequest) -> AdapterResponse { .ok("success") }
}

extension WeChatAdapter {
    static let descriptor = ProviderDescriptor(
        name: "wechat", requiredSecrets: ["token"], optionalSecrets: ["encodingAESKey"], settings: ["appId"],
        makeAdapter: { WeChatAdapter(channel: $0) },
        signSample: { request, channel in
            let token = channel.secret("token")
            let timestamp = String(Int(request.now.timeIntervalSince1970))
            let nonce = String(UInt32.random(in: 100_000_000...999_999_999))
            var query = [
                FormField("signature", WeChatCrypto.signature([token, timestamp, nonce])), FormField("timestamp", timestamp),
                FormField("nonce", nonce),
            ]
            if let key = WeChatCrypto.key(fromEncodingAESKey: channel.secret("encodingAESKey")),
                let encrypted = WeChatCrypto.encrypt(request.body, appId: channel.settings["appId"] ?? "", key: key)
            {
                let to = WeChatXML.parse(request.body)?["ToUserName"] ?? ""
                request.body = Array("<xml><ToUserName><![CDATA[\(to)]]></ToUserName><Encrypt><![CDATA[\(encrypted)]]></Encrypt></xml>".utf8)
                query += [FormField("encrypt_type", "aes"), FormField("msg_signature", WeChatCrypto.signature([token, timestamp, nonce, encrypted]))]
            }
            request.url += (request.url.contains("?") ? "&" : "?") + FormField.encode(query)
        })
}
