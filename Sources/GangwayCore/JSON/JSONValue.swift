import Foundation

/// A parsed JSON document that keeps numbers as the exact digits the sender wrote.
///
/// Providers put ids in JSON numbers (Telegram's `update_id`, Viber's `message_token`, which
/// exceeds 2^53). Foundation's parsers turn those into `Double` and lose digits; this one keeps
/// the literal text so an id travels unchanged into the idempotency key.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number exactly as written in the document.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in document order; duplicate names keep the last value on lookup.
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// Parses UTF-8 JSON bytes.
    /// - Throws: ``JSONParseError`` naming the byte offset of the first fault.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: Array(bytes))
        return try parser.parseDocument()
    }

    // MARK: Access

    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.0 == key })?.1
    }

    public subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    /// Follows a path of member names: `json[path: "message", "chat", "id"]`.
    public subscript(path keys: String...) -> JSONValue? {
        var current: JSONValue? = self
        for key in keys { current = current?[key] }
        return current
    }

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// A string, or a number's exact digits: the form every provider id takes in a key.
    public var idString: String? {
        switch self {
        case .string(let s): s
        case .number(let n): n
        default: nil
        }
    }

    public var double: Double? {
        switch self {
        case .number(let n): Double(n)
        case .string(let s): Double(s)
        default: nil
        }
    }

    public var int64: Int64? {
        switch self {
        case .number(let n): Int64(n)
        case .string(let s): Int64(s)
        default: nil
        }
    }

    public var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var array: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The items of an array; an absent or non-array value gives no items.
    public var items: [JSONValue] { array ?? [] }

    public var members: [(String, JSONValue)]? {
        if case .object(let m) = self { return m }
        return nil
    }

    public var isObject: Bool { members != nil }
}

/// A JSON document that could not be parsed.
public struct JSONParseError: Error, CustomStringConvertible, Sendable {
    public let offset: Int
    public let reason: String
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}
