import Foundation
import GangwayCore
import Synchronization

/// The conversations of the stand-in chatbot API: the rest of the "Conversation management" page
/// (`reference/chatbot-api-conversations.txt`), kept in memory.
///
/// Every accepted `handle` or `event` call creates or reuses the conversation of its chatbotId +
/// channelId + providerId, whose id (`conv_` and 12 hex digits) is stable for that triple. List,
/// create, find, get, delete and update work on them; a step payload and a custom event must name
/// one. The page leaves the bodies of create and update open: here both take a JSON object whose
/// members become the conversation's (`null` removes one); `channelId`, `providerId` and `contactId`
/// are strings, set by create (`contactId` also by update); the rest of what the stand-in keeps
/// (`id`, `chatbotId`, the times and counts) cannot be set.
public final class MockConversations: Sendable {
    /// An answer: its status and its JSON.
    public struct Reply: Sendable, Equatable {
        public var status: Int
        public var json: JSONValue

        static func ok(_ json: JSONValue) -> Reply { Reply(status: 200, json: json) }
        static func error(_ status: Int, _ message: String) -> Reply { Reply(status: status, json: .object([("error", .string(message))])) }
    }

    /// One conversation.
    struct Conversation: Sendable {
        var id: String
        var chatbotId: String
        var channelId: String?
        var providerId: String?
        var contactId: String?
        var createdAt: Date
        var updatedAt: Date
        /// `handle` calls.
        var messages = 0
        /// `event` and custom-event calls.
        var events = 0
        /// Members set by create and update, in the order they were first set.
        var fields: [(String, JSONValue)] = []

        var json: JSONValue {
            var members: [(String, JSONValue)] = [("id", .string(id)), ("chatbotId", .string(chatbotId))]
            if let channelId { members.append(("channelId", .string(channelId))) }
            if let providerId { members.append(("providerId", .string(providerId))) }
            if let contactId { members.append(("contactId", .string(contactId))) }
            members += [
                ("createdAt", .string(createdAt.formatted(.iso8601))), ("updatedAt", .string(updatedAt.formatted(.iso8601))),
                ("messages", .number(String(messages))), ("events", .number(String(events))),
            ]
            return .object(members + fields)
        }

        /// Sets (or, with `null`, removes) a member of its own.
        mutating func set(_ name: String, _ value: JSONValue) {
            fields.removeAll { $0.0 == name }
            if value != .null { fields.append((name, value)) }
        }
    }

    /// Members the stand-in keeps itself: create and update cannot set them.
    static let readOnly: Set<String> = ["id", "chatbotId", "createdAt", "updatedAt", "messages", "events"]

    private struct State {
        var byID: [String: Conversation] = [:]
        /// Ids in the order the conversations were created (the order of a list).
        var order: [String] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// The id of the conversation of a chatbot, channel and user: the same for the same three.
    public static func conversationID(chatbotId: String, channelId: String, providerId: String) -> String {
        let digest = Signatures.sha256(Array("\(chatbotId)\u{0}\(channelId)\u{0}\(providerId)".utf8))
        return "conv_" + Signatures.hex(digest.prefix(6))
    }

    /// How many conversations there are.
    public var count: Int { state.withLock { $0.byID.count } }

    // MARK: handle and event

    /// An accepted `handle` (a message) or `event` call: its conversation is created or reused.
    func touch(chatbotId: String, channelId: String, providerId: String, isEvent: Bool, now: Date = Date()) {
        let id = Self.conversationID(chatbotId: chatbotId, channelId: channelId, providerId: providerId)
        state.withLock { s in
            var c =
                s.byID[id]
                ?? Conversation(id: id, chatbotId: chatbotId, channelId: channelId, providerId: providerId, createdAt: now, updatedAt: now)
            if s.byID[id] == nil { s.order.append(id) }
            if isEvent { c.events += 1 } else { c.messages += 1 }
            c.updatedAt = now
            s.byID[id] = c
        }
    }

    // MARK: The page's routes

    /// `GET .../conversations?contactId=&channelId=`: `{"items": [...]}`, oldest first.
    func list(chatbotId: String, contactId: String?, channelId: String?) -> Reply {
        let items = state.withLock { s in
            s.order.compactMap { s.byID[$0] }.filter { c in
                c.chatbotId == chatbotId && (contactId == nil || c.contactId == contactId) && (channelId == nil || c.channelId == channelId)
            }
        }
        return .ok(.object([("items", .array(items.map(\.json)))]))
    }

    /// `POST .../conversations`: a new conversation with the body's members. With both `channelId`
    /// and `providerId` its id is the one of that triple, and 409 when it exists already.
    func create(chatbotId: String, body: JSONValue, now: Date = Date()) -> Reply {
        guard let members = body.members else { return .error(400, "the body must be a JSON object") }
        var ids: [String: String] = [:]
        var fields: [(String, JSONValue)] = []
        for (name, value) in members {
            if name == "chatbotId" {
                guard value.string == chatbotId else { return .error(400, "chatbotId differs from the path") }
            } else if Self.readOnly.contains(name) {
                return .error(400, "\(name) cannot be set")
            } else if ["channelId", "providerId", "contactId"].contains(name) {
                guard let text = value.string, !text.isEmpty else { return .error(400, "\(name) must be a non-empty string") }
                ids[name] = text
            } else if value != .null {
                fields.removeAll { $0.0 == name }
                fields.append((name, value))
            }
        }
        let id: String
        if let channelId = ids["channelId"], let providerId = ids["providerId"] {
            id = Self.conversationID(chatbotId: chatbotId, channelId: channelId, providerId: providerId)
        } else {
            id = "conv_" + Signatures.hex((0..<6).map { _ in UInt8.random(in: 0...255) })
        }
        var c = Conversation(
            id: id, chatbotId: chatbotId, channelId: ids["channelId"], providerId: ids["providerId"], contactId: ids["contactId"], createdAt: now,
            updatedAt: now)
        c.fields = fields
        return state.withLock { s in
            guard s.byID[id] == nil else { return .error(409, "conversation \(id) exists already") }
            s.byID[id] = c
            s.order.append(id)
            return .ok(c.json)
        }
    }

    /// `GET .../conversations/find?channelId=&providerId=`: both required (400); 404 when none.
    func find(chatbotId: String, channelId: String?, providerId: String?) -> Reply {
        guard let channelId, !channelId.isEmpty, let providerId, !providerId.isEmpty else {
            return .error(400, "channelId and providerId are both required")
        }
        let id = Self.conversationID(chatbotId: chatbotId, channelId: channelId, providerId: providerId)
        guard let c = state.withLock({ $0.byID[id] }) else {
            return .error(404, "no conversation for channelId \(channelId) and providerId \(providerId)")
        }
        return .ok(c.json)
    }

    /// `GET .../conversations/{conversationId}`
    func get(chatbotId: String, id: String) -> Reply {
        guard let c = conversation(chatbotId: chatbotId, id: id) else { return Self.notFound(id) }
        return .ok(c.json)
    }

    /// `DELETE .../conversations/{conversationId}`: `{"deleted": true}`, then 404.
    func delete(chatbotId: String, id: String) -> Reply {
        let removed = state.withLock { s -> Bool in
            guard let c = s.byID[id], c.chatbotId == chatbotId else { return false }
            s.byID[id] = nil
            s.order.removeAll { $0 == id }
            return true
        }
        return removed ? .ok(.object([("deleted", .bool(true))])) : Self.notFound(id)
    }

    /// `PATCH .../conversations/{conversationId}`: merges the body's members (`null` removes one).
    func update(chatbotId: String, id: String, body: JSONValue, now: Date = Date()) -> Reply {
        guard let members = body.members else { return .error(400, "the body must be a JSON object") }
        for (name, value) in members {
            if Self.readOnly.contains(name) || name == "channelId" || name == "providerId" { return .error(400, "\(name) cannot be changed") }
            if name == "contactId", value != .null, value.string?.isEmpty ?? true { return .error(400, "contactId must be a non-empty string or null") }
        }
        return state.withLock { s in
            guard var c = s.byID[id], c.chatbotId == chatbotId else { return Self.notFound(id) }
            for (name, value) in members {
                if name == "contactId" { c.contactId = value.string } else { c.set(name, value) }
            }
            c.updatedAt = now
            s.byID[id] = c
            return .ok(c.json)
        }
    }

    /// `POST .../conversations/payload` and `.../custom-event`: the body names the chatbot (as the
    /// path does) and an existing conversation; a custom event also its name. A step payload's
    /// `eventPayload` is a string holding JSON.
    func step(chatbotId: String, operation: String, body: JSONValue, now: Date = Date()) -> Reply {
        guard body.isObject else { return .error(400, "the body must be a JSON object") }
        guard let bodyChatbot = body["chatbotId"]?.string, !bodyChatbot.isEmpty else { return .error(400, "chatbotId is required") }
        guard bodyChatbot == chatbotId else { return .error(400, "chatbotId differs from the path") }
        guard let id = body["conversationId"]?.string, !id.isEmpty else { return .error(400, "conversationId is required") }
        let isCustomEvent = operation == "custom-event"
        if isCustomEvent {
            guard let event = body["event"]?.string, !event.isEmpty else { return .error(400, "event is required") }
        } else {
            for name in ["flowId", "stepId", "event"] where body[name] != nil && body[name]?.string == nil {
                return .error(400, "\(name) must be a string")
            }
            for name in ["async", "isDebug"] where body[name] != nil && body[name]?.bool == nil {
                return .error(400, "\(name) must be a boolean")
            }
            if let payload = body["eventPayload"] {
                guard let text = payload.string, (try? JSONValue.parse(Array(text.utf8))) != nil else {
                    return .error(400, "eventPayload must be a string holding JSON")
                }
            }
        }
        return state.withLock { s in
            guard var c = s.byID[id], c.chatbotId == chatbotId else { return Self.notFound(id) }
            if isCustomEvent { c.events += 1 }
            c.updatedAt = now
            s.byID[id] = c
            return .ok(.object([("conversationId", .string(id)), ("accepted", .bool(true))]))
        }
    }

    private func conversation(chatbotId: String, id: String) -> Conversation? {
        state.withLock { s in s.byID[id].flatMap { $0.chatbotId == chatbotId ? $0 : nil } }
    }

    private static func notFound(_ id: String) -> Reply { .error(404, "no conversation \(id)") }
}
