import Foundation

/// Header fields with case-insensitive names, in the order received.
public struct HeaderFields: Sendable, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(name: String, value: String)]

    public init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { (name: Self.lowercase($0.0), value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    public subscript(name: String) -> String? {
        let lower = Self.lowercase(name)
        return fields.first(where: { $0.name == lower })?.value
    }

    public mutating func add(_ name: String, _ value: String) {
        fields.append((name: Self.lowercase(name), value: value))
    }

    /// The name in lowercase; a name that is lowercase ASCII already (as HTTP/2 and Hummingbird's
    /// canonical names are) is returned as it is, without a new string.
    static func lowercase(_ name: String) -> String {
        name.utf8.contains(where: { $0 >= 0x80 || (0x41...0x5A).contains($0) }) ? name.lowercased() : name
    }
}
