import Foundation
import GangwayCore

/// Slack's payloads (Events API callbacks, interactivity, slash commands) as envelope calls.
enum SlackEvents {
    /// An Events API body: `event_callback` with one inner event; other types mean nothing.
    static func calls(_ json: JSONValue) throws(AdapterError) -> [InboundCall] {
        guard json.isObject else { throw .badRequest("not a Slack event: the body is not an object") }
        guard json["type"]?.string == "event_callback", let event = json["event"], let eventID = json["event_id"]?.idString,
            let user = event["user"]?.string
        else { return [] }  // app_rate_limited, new envelope types
        let botUsers = Set((json["authorizations"]?.items ?? []).filter { $0["is_bot"]?.bool == true }.compactMap { $0["user_id"]?.string })
        guard event["bot_id"] == nil, !botUsers.contains(user) else { return [] }  // the app's own posts
        let type = event["type"]?.string ?? ""
        switch type {
        case "message", "app_mention":
            // Edits, deletions, joins ... carry a subtype and are not new user messages.
            guard [nil, "file_share", "thread_broadcast"].contains(event["subtype"]?.string) else { return [] }
            return [.handle(key: eventID, providerId: user, message: message(event), provider: info(event["channel"], type))]
        case "reaction_added", "reaction_removed":
            let msg = InboundMessage(
                type: .text, text: event["reaction"]?.string, timestamp: Timestamps.iso8601(unixSeconds: event["event_ts"]?.string),
                replyTo: event[path: "item", "ts"]?.string)
            return [.event(.messageReaction, key: eventID, providerId: user, message: msg, provider: info(event[path: "item", "channel"], type))]
        default:
            return []
        }
    }

    private static func info(_ channel: JSONValue?, _ event: String) -> ProviderInfo {
        ProviderInfo(name: SlackAdapter.name, recipientId: channel?.string, event: event)
    }

    private static func message(_ event: JSONValue) -> InboundMessage {
        let ts = event["ts"]?.string
        var msg = InboundMessage(id: ts, type: .text, text: event["text"]?.string, timestamp: Timestamps.iso8601(unixSeconds: ts))
        if let thread = event["thread_ts"]?.string, thread != ts { msg.replyTo = thread }
        let files = event["files"]?.items ?? []
        if !files.isEmpty {
            msg.media = files.map { f in
                InboundMessage.Media(
                    id: f["id"]?.string, url: f["url_private"]?.string, mimeType: f["mimetype"]?.string, filename: f["name"]?.string)
            }
            msg.type = MediaKind.messageType(mimeType: files[0]["mimetype"]?.string, url: files[0]["name"]?.string)
            if msg.text?.isEmpty == true { msg.text = nil }
        }
        return msg
    }

    /// An interactivity `payload`: a button or menu in a message (`block_actions`) is a postback;
    /// modals, shortcuts and the rest mean nothing for the chatbot.
    static func interaction(_ json: JSONValue) -> [InboundCall] {
        guard json["type"]?.string == "block_actions", let user = json[path: "user", "id"]?.string,
            let action = json["actions"]?[0], let key = json["trigger_id"]?.string ?? action["action_ts"]?.string
        else { return [] }
        let payload = action["value"]?.string ?? action[path: "selected_option", "value"]?.string ?? action["action_id"]?.string
        let msg = InboundMessage(
            id: action["action_ts"]?.string, type: .postback,
            text: action[path: "text", "text"]?.string ?? action[path: "selected_option", "text", "text"]?.string,
            timestamp: Timestamps.iso8601(unixSeconds: action["action_ts"]?.string), payload: payload,
            replyTo: json[path: "container", "message_ts"]?.string)
        let channel = json[path: "channel", "id"] ?? json[path: "container", "channel_id"]
        let contact = InboundContact(name: json[path: "user", "name"]?.string, username: json[path: "user", "username"]?.string).nonEmpty
        return [.handle(key: key, providerId: user, message: msg, contact: contact, provider: info(channel, "block_actions"))]
    }

    /// A slash command (`/book tomorrow`): a postback whose payload is the command.
    static func slashCommand(_ form: [FormField]) -> [InboundCall] {
        guard let user = form[field: "user_id"], let key = form[field: "trigger_id"] else { return [] }
        let text = form[field: "text"].flatMap { $0.isEmpty ? nil : $0 }
        let msg = InboundMessage(type: .postback, text: text, payload: form[field: "command"])
        return [
            .handle(
                key: key, providerId: user, message: msg, contact: InboundContact(username: form[field: "user_name"]).nonEmpty,
                provider: ProviderInfo(name: SlackAdapter.name, recipientId: form[field: "channel_id"], event: "slash_command"))
        ]
    }
}
