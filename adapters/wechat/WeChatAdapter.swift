import Foundation
import GangwayCore

/// WeChat Official Account messages (XML), plaintext or safe mode. See README.md beside this file.
struct WeChatAdapter: ChannelAdapter {
    /// WeChat documents no window for the signed `timestamp`; five minutes as elsewhere.
    static let tolerance: Double = 300

    let token: String
    /// Safe mode: the channel has an `encodingAESKey`. Then only encrypted messages pass.
    let isSafeMode: Bool
    /// The AES key of safe mode; nil in plaintext mode or when the key is not 43 characters.
    let aesKey: [UInt8]?
    /// The account's AppID; required in safe mode (the config loader says so).
    let appId: String?

    init(channel: ChannelConfiguration) {
        token = channel.secret(ConfigKeys.token)
        let encodingAESKey = channel.secret(ConfigKeys.encodingAESKey)
        isSafeMode = !encodingAESKey.isEmpty
        aesKey = WeChatCrypto.key(fromEncodingAESKey: encodingAESKey)
        appId = channel.setting(ConfigKeys.appId).flatMap { $0.isEmpty ? nil : $0 }
    }

    var methods: Set<String> { Self.descriptor.methods }

    /// The server URL check: `GET ?signature&timestamp&nonce&echostr`, answered with `echostr`.
    func handshake(_ request: InboundRequest) throws(AdapterError) -> AdapterResponse? {
        guard request.method == "GET" else { return nil }
        guard let echo = request.queryValue("echostr") else { throw .badRequest("GET without echostr") }
        try checkSignature(request)
        return .ok(echo)
    }

    /// The URL `signature` always. In safe mode also, and only then does a message pass: an
    /// `Encrypt` element, its `msg_signature`, a ciphertext that decrypts with the AES key, and
    /// the channel's AppID at its end. A plaintext body carries only the URL signature, which
    /// any access log holds, so safe mode refuses it.
    func verify(_ request: InboundRequest) throws(AdapterError) {
        try checkSignature(request)
        guard isSafeMode else {
            if encryptedElement(request) != nil {
                throw .unauthorized(
                    "the body is encrypted (safe mode) but the channel has no encodingAESKey",
                    diagnosis: ["header": "body:Encrypt", "bodyBytes": String(request.body.count)])
            }
            return
        }
        _ = try decryptedMessage(request)
    }

    /// Safe mode's checks, in order, and the decrypted XML.
    private func decryptedMessage(_ request: InboundRequest) throws(AdapterError) -> [UInt8] {
        let diagnosis = ["header": "query:msg_signature", "bodyBytes": String(request.body.count)]
        guard let aesKey else {
            throw .unauthorized("encodingAESKey is not the 43-character EncodingAESKey", diagnosis: diagnosis)
        }
        guard let appId else {
            throw .unauthorized("safe mode needs settings.appId to check whom a message is for", diagnosis: diagnosis)
        }
        guard let encrypted = encryptedElement(request) else {
            throw .unauthorized("safe mode (encodingAESKey set): a message without Encrypt is refused", diagnosis: diagnosis)
        }
        guard let given = request.queryValue("msg_signature") else { throw .unauthorized("missing msg_signature query parameter", diagnosis: diagnosis) }
        let expected = WeChatCrypto.signature([token, request.queryValue("timestamp") ?? "", request.queryValue("nonce") ?? "", encrypted])
        guard Signatures.constantTimeEquals(given.lowercased(), expected) else {
            throw .unauthorized("msg_signature does not match (wrong token or altered Encrypt)", diagnosis: diagnosis)
        }
        guard let decrypted = WeChatCrypto.decrypt(encrypted, key: aesKey) else {
            throw .unauthorized("Encrypt does not decrypt with encodingAESKey", diagnosis: diagnosis)
        }
        guard Signatures.constantTimeEquals(decrypted.appId, appId) else {
            throw .unauthorized("the encrypted message is for another AppID than settings.appId", diagnosis: diagnosis)
        }
        return decrypted.xml
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
        guard let outer = WeChatXML.parse(request.body) else { throw .badRequest("not a WeChat XML message") }
        var fields = outer
        if isSafeMode {
            // Only the decrypted message is read, never the plaintext fields beside Encrypt.
            guard let inner = WeChatXML.parse(try decryptedMessage(request)) else { throw .badRequest("the decrypted message is not WeChat XML") }
            fields = inner
        } else if outer["Encrypt"] != nil {
            throw .unauthorized("the body is encrypted (safe mode) but the channel has no encodingAESKey", diagnosis: ["header": "body:Encrypt"])
        }
        return WeChatMessages.calls(fields).map { [$0] } ?? []
    }

    func acknowledgement(for request: InboundRequest) -> AdapterResponse { .ok("success") }
}

extension WeChatAdapter {
    /// Its secrets and settings, named once (descriptor, adapter, simulate, README check).
    enum ConfigKeys {
        static let token: ConfigKey = "token"
        static let encodingAESKey: ConfigKey = "encodingAESKey"
        static let appId: ConfigKey = "appId"
    }

    /// The provider's config name (`provider:`), also `provider.name` of its calls.
    static let name = "wechat"
    static let descriptor = ProviderDescriptor(
        name: name, requiredSecrets: [ConfigKeys.token], optionalSecrets: [ConfigKeys.encodingAESKey], settings: [ConfigKeys.appId], methods: ["GET", "POST"],
        makeAdapter: { WeChatAdapter(channel: $0) },
        signSample: { request, channel in
            let token = channel.secret(ConfigKeys.token)
            let timestamp = String(UnixTime.seconds(of: request.now))
            let nonce = String(UInt32.random(in: 100_000_000...999_999_999))
            var query = [
                FormField("signature", WeChatCrypto.signature([token, timestamp, nonce])), FormField("timestamp", timestamp),
                FormField("nonce", nonce),
            ]
            if let key = WeChatCrypto.key(fromEncodingAESKey: channel.secret(ConfigKeys.encodingAESKey)),
                let encrypted = WeChatCrypto.encrypt(request.body, appId: channel.setting(ConfigKeys.appId) ?? "", key: key)
            {
                let to = WeChatXML.parse(request.body)?["ToUserName"] ?? ""
                request.body = Array("<xml><ToUserName><![CDATA[\(to)]]></ToUserName><Encrypt><![CDATA[\(encrypted)]]></Encrypt></xml>".utf8)
                query += [FormField("encrypt_type", "aes"), FormField("msg_signature", WeChatCrypto.signature([token, timestamp, nonce, encrypted]))]
            }
            request.url += (request.url.contains("?") ? "&" : "?") + FormField.encode(query)
        },
        validate: { channel in
            let safeMode = (channel.secretValues["encodingAESKey"] ?? []).contains { !$0.value.isEmpty }
            guard safeMode, (channel.setting(ConfigKeys.appId) ?? "").isEmpty else { return [] }
            return [
                (
                    key: "settings.appId",
                    message: "required with secrets.encodingAESKey (safe mode): the account's AppID (wx…), which every decrypted message must name"
                )
            ]
        })
}
