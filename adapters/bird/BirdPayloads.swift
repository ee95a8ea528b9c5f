import Foundation
import GangwayCore

/// Bird's two payload families as envelope calls: the Channels API (`{service, event, payload}`,
/// current) and the legacy MessageBird Conversations API (`{type, contact, message}`).
enum BirdPayloads {
    // MARK: Channels API

    static func channels(event: String, payload p: JSONValue) -> [InboundCall] {
        guard let id = p["id"]?.idString else { return [] }
        let channel = event.split(separator: ".").first.map(String.init)
        let recipient = p[path: "receiver", "connector", "identifierValue"]?.string.flatMap { $0.isEmpty ? nil : $0 } ?? p["channelId"]?.string
        if event.hasSuffix(".inbound") {
            guard let sender = p[path: "sender", "contact", "identifierValue"]?.idString else { return [] }
            var msg = body(p["body"], id: id)
            msg.timestamp = p["createdAt"]?.string
            msg.replyTo = p[path: "replyTo", "id"]?.string
            let contact = InboundContact(name: p[path: "sender", "contact", "annotations", "name"]?.string).nonEmpty
            return [
                .handle(
                    key: id, providerId: sender, message: msg, contact: contact,
                    provider: ProviderInfo(name: BirdAdapter.name, recipientId: recipient, event: channel))
            ]
        }
        if event.hasSuffix(".outbound"), let status = p["status"]?.string {
            let name: EventName
            switch status {
            case "delivered": name = .messageDelivered
            case "read": name = .userSeenMessage
            case "delivery_failed", "failed", "rejected": name = .messageFailed
            default: return []  // accepted, processing, sent, ...
            }
            guard let user = p[path: "receiver", "contacts"]?[0]?["identifierValue"]?.idString else { return [] }
            let msg = InboundMessage(
                id: id, type: .unsupported, text: p["reason"]?.string.flatMap { $0.isEmpty ? nil : $0 }, timestamp: p["lastStatusAt"]?.string)
            return [
                .event(
                    name, key: "\(id):\(status)", providerId: user, message: msg,
                    provider: ProviderInfo(name: BirdAdapter.name, recipientId: recipient, event: status))
            ]
        }
        return []  // interactions and other services
    }

    private static func body(_ b: JSONValue?, id: String) -> InboundMessage {
        var msg = InboundMessage(id: id, type: .unsupported)
        switch b?["type"]?.string {
        case "text":
            msg.type = .text
            msg.text = b?[path: "text", "text"]?.string
        case "image":
            msg.type = .image
            msg.text = b?[path: "image", "text"]?.string
            msg.media = (b?[path: "image", "images"]?.items ?? []).map {
                InboundMessage.Media(url: $0["mediaUrl"]?.string, caption: $0["altText"]?.string)
            }
        case "file":
            let files = b?[path: "file", "files"]?.items ?? []
            msg.media = files.map { InboundMessage.Media(url: $0["mediaUrl"]?.string, mimeType: $0["contentType"]?.string, filename: $0["filename"]?.string) }
            msg.text = b?[path: "file", "text"]?.string
            msg.type = MediaKind.messageType(mimeType: files.first?["contentType"]?.string, url: files.first?["mediaUrl"]?.string)
        case "location":
            if let lat = b?[path: "location", "coordinates", "latitude"]?.double, let lon = b?[path: "location", "coordinates", "longitude"]?.double {
                msg.type = .location
                msg.location = .init(
                    latitude: lat, longitude: lon, name: b?[path: "location", "location", "label"]?.string,
                    address: b?[path: "location", "location", "address"]?.string)
            }
        default:
            break
        }
        return msg
    }

    // MARK: Conversations API (legacy MessageBird)

    static func conversations(type: String, message m: JSONValue, contact: JSONValue?) -> [InboundCall] {
        guard let id = m["id"]?.idString else { return [] }
        let platform = m["platform"]?.string
        let direction = m["direction"]?.string
        if type == "message.created", direction == "received", let from = m["from"]?.idString {
            var msg = InboundMessage(id: id, type: .unsupported, timestamp: m["createdDatetime"]?.string)
            let content = m["content"]
            switch m["type"]?.string {
            case "text":
                msg.type = .text
                msg.text = content?["text"]?.string
            case "image", "video", "audio", "file":
                let kind = m["type"]?.string ?? "file"
                msg.type = kind == "file" ? .document : MessageType(rawValue: kind)
                msg.media = [.init(url: content?[path: kind, "url"]?.string, caption: content?[path: kind, "caption"]?.string)]
                msg.text = content?[path: kind, "caption"]?.string
            case "location":
                if let lat = content?[path: "location", "latitude"]?.double, let lon = content?[path: "location", "longitude"]?.double {
                    msg.type = .location
                    msg.location = .init(latitude: lat, longitude: lon)
                }
            default:
                break
            }
            let name = contact?["displayName"]?.string
            return [
                .handle(
                    key: id, providerId: from, message: msg, contact: InboundContact(name: name).nonEmpty,
                    provider: ProviderInfo(name: BirdAdapter.name, recipientId: m["to"]?.idString, event: platform))
            ]
        }
        if type == "message.updated", direction == "sent", let status = m["status"]?.string, let to = m["to"]?.idString {
            let name: EventName
            switch status {
            case "delivered": name = .messageDelivered
            case "read": name = .userSeenMessage
            case "failed", "rejected": name = .messageFailed
            default: return []
            }
            let msg = InboundMessage(id: id, type: .unsupported, timestamp: m["updatedDatetime"]?.string)
            return [
                .event(
                    name, key: "\(id):\(status)", providerId: to, message: msg,
                    provider: ProviderInfo(name: BirdAdapter.name, recipientId: m["from"]?.idString, event: status))
            ]
        }
        return []
    }
}
