import Foundation
import GangwayCore

/// A WeChat message or event (its XML fields) as an envelope call.
enum WeChatMessages {
    static func calls(_ f: [String: String]) -> InboundCall? {
        guard let from = f["FromUserName"], let type = f["MsgType"] else { return nil }
        let created = f["CreateTime"] ?? "0"
        let timestamp = Timestamps.iso8601(unixSeconds: created)
        let recipient = f["ToUserName"]
        if type == "event" {
            guard let event = f["Event"] else { return nil }
            let key = "\(from):\(created):\(event)"
            let provider = ProviderInfo(name: WeChatAdapter.name, recipientId: recipient, event: event)
            let eventKey = f["EventKey"].flatMap { $0.isEmpty ? nil : $0 }
            switch event.lowercased() {
            case "subscribe", "scan":
                let msg = InboundMessage(type: .postback, timestamp: timestamp, payload: eventKey)
                return .event(.conversationStarted, key: key, providerId: from, message: msg, provider: provider)
            case "unsubscribe":
                return .event(
                    .userUnsubscribed, key: key, providerId: from, message: InboundMessage(type: .unsupported, timestamp: timestamp), provider: provider)
            case "click":
                let msg = InboundMessage(type: .postback, timestamp: timestamp, payload: eventKey)
                return .handle(key: key, providerId: from, message: msg, provider: provider)
            default:
                return nil  // VIEW, LOCATION reports, TEMPLATESENDJOBFINISH, ...
            }
        }
        guard let id = f["MsgId"] else { return nil }
        var msg = InboundMessage(id: id, type: .unsupported, timestamp: timestamp)
        switch type {
        case "text":
            msg.type = .text
            msg.text = f["Content"]
        case "image":
            msg.type = .image
            msg.media = [.init(id: f["MediaId"], url: f["PicUrl"])]
        case "voice":
            msg.type = .audio
            msg.media = [.init(id: f["MediaId"], mimeType: f["Format"].map { "audio/\($0.lowercased())" })]
            msg.text = f["Recognition"].flatMap { $0.isEmpty ? nil : $0 }
        case "video", "shortvideo":
            msg.type = .video
            msg.media = [.init(id: f["MediaId"])]
        case "location":
            if let lat = f["Location_X"].flatMap(Double.init), let lon = f["Location_Y"].flatMap(Double.init) {
                msg.type = .location
                msg.location = .init(latitude: lat, longitude: lon, name: f["Label"])
            }
        case "link":
            msg.type = .text
            msg.text = [f["Title"], f["Url"]].compactMap { $0 }.joined(separator: "\n")
        default:
            break
        }
        return .handle(key: id, providerId: from, message: msg, provider: ProviderInfo(name: WeChatAdapter.name, recipientId: recipient))
    }
}
