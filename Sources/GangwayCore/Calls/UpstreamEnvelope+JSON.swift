import Foundation

/// The envelope's JSON, written directly into bytes.
///
/// Byte for byte what `JSONEncoder` with `[.sortedKeys, .withoutEscapingSlashes]` writes (a test
/// checks every adapter's samples and edge cases against it), at a fraction of the cost: the
/// encoder was about 8% of the gateway's CPU per webhook on the ingest path (perf, 2026-11-26).
/// Members are listed here in UTF-8 order of their keys, as `sortedKeys` does.
struct EnvelopeJSONWriter {
    private(set) var bytes: [UInt8] = []
    private var needsComma = false

    init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    mutating func object(_ body: (inout EnvelopeJSONWriter) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
        body(&self)
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func array<T>(_ items: [T], _ element: (inout EnvelopeJSONWriter, T) -> Void) {
        bytes.append(UInt8(ascii: "["))
        needsComma = false
        for item in items {
            if needsComma { bytes.append(UInt8(ascii: ",")) }
            element(&self, item)
            needsComma = true
        }
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Starts a member: the comma before it when needed, the key and the colon.
    mutating func key(_ key: StaticString) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    mutating func member(_ key: StaticString, _ value: String?) {
        guard let value else { return }
        self.key(key)
        string(value)
    }

    mutating func member(_ key: StaticString, _ value: Bool?) {
        guard let value else { return }
        self.key(key)
        let text: StaticString = value ? "true" : "false"
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
        needsComma = true
    }

    mutating func member(_ key: StaticString, _ value: Double?) {
        guard let value else { return }
        self.key(key)
        number(value)
    }

    mutating func number(_ value: Double) {
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
        needsComma = true
    }

    /// A JSON string, escaped as JSONEncoder escapes it (`JSONText.appendString`).
    mutating func string(_ value: String) {
        JSONText.appendString(value, to: &bytes)
        needsComma = true
    }
}

extension UpstreamEnvelope {
    /// The envelope's JSON bytes (keys sorted, stable for the same call).
    public func jsonBytes() -> [UInt8] {
        // JSONEncoder refuses NaN and infinity; keep its behaviour for those (never seen in practice).
        if let m = message, !(m.confidence?.isFinite ?? true) || !(m.location.map { $0.latitude.isFinite && $0.longitude.isFinite } ?? true) {
            return Array(encodedByFoundation())
        }
        var w = EnvelopeJSONWriter()
        w.object { w in
            w.member("async", self.async)
            w.member("callee", callee)
            w.member("channelId", channelId)
            w.member("channelName", channelName)
            w.member("chatbotId", chatbotId)
            if let contact {
                w.key("contact")
                w.object { w in
                    w.member("locale", contact.locale)
                    w.member("name", contact.name)
                    w.member("phone", contact.phone)
                    w.member("username", contact.username)
                }
            }
            w.member("event", event)
            if let message {
                w.key("message")
                Self.write(message, into: &w)
            }
            w.key("provider")
            w.object { w in
                w.member("callId", provider.callId)
                w.member("event", provider.event)
                w.member("name", provider.name)
                w.member("recipientId", provider.recipientId)
                w.member("replyToken", provider.replyToken)
            }
            w.member("providerId", providerId)
        }
        return w.bytes
    }

    private static func write(_ m: InboundMessage, into w: inout EnvelopeJSONWriter) {
        w.object { w in
            w.member("confidence", m.confidence)
            if let contacts = m.contacts {
                w.key("contacts")
                w.array(contacts) { w, c in
                    w.object { w in
                        w.member("name", c.name)
                        if let phones = c.phones {
                            w.key("phones")
                            w.array(phones) { w, p in w.string(p) }
                        }
                    }
                }
            }
            w.member("id", m.id)
            if let l = m.location {
                w.key("location")
                w.object { w in
                    w.member("address", l.address)
                    w.member("latitude", l.latitude)
                    w.member("longitude", l.longitude)
                    w.member("name", l.name)
                }
            }
            if let media = m.media {
                w.key("media")
                w.array(media) { w, item in
                    w.object { w in
                        w.member("caption", item.caption)
                        w.member("filename", item.filename)
                        w.member("id", item.id)
                        w.member("mimeType", item.mimeType)
                        w.member("url", item.url)
                    }
                }
            }
            w.member("payload", m.payload)
            w.member("replyTo", m.replyTo)
            w.member("text", m.text)
            w.member("timestamp", m.timestamp)
            w.member("type", m.type.rawValue)
        }
    }

    /// The same JSON through Foundation's `JSONEncoder` (the reference the tests compare with).
    public func encodedByFoundation() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain value types cannot fail but for a non-finite number.
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }
}
