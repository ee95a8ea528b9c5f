import Foundation
import Yams

/// Walks a YAML tree, expanding `${VAR}`, checking types and recording every fault with its place.
struct ConfigReader {
    struct Map {
        var place: String
        var pairs: [(key: String, value: Node)]
        func place(_ key: String) -> String { place.isEmpty ? key : "\(place).\(key)" }
        func value(_ key: String) -> Node? { pairs.first(where: { $0.key == key })?.value }
    }

    let environment: [String: String]
    var errors: [ConfigError] = []

    init(environment: [String: String]) { self.environment = environment }

    mutating func fail(_ place: String, _ message: String) {
        errors.append(ConfigError(place: place, message: message))
    }

    mutating func mapping(_ node: Node, at place: String) -> Map? {
        guard case .mapping(let mapping) = node else {
            fail(place.isEmpty ? "yaml" : place, "expected a mapping")
            return nil
        }
        var pairs: [(key: String, value: Node)] = []
        for (k, v) in mapping {
            guard case .scalar(let s) = k else {
                fail(place, "keys must be plain strings")
                continue
            }
            if pairs.contains(where: { $0.key == s.string }) {
                fail(place.isEmpty ? s.string : "\(place).\(s.string)", "duplicate key")
            }
            pairs.append((s.string, v))
        }
        return Map(place: place, pairs: pairs)
    }

    mutating func allowOnly(_ m: Map, _ keys: [String]) {
        for (key, _) in m.pairs where !keys.contains(key) {
            fail(m.place(key), "unknown key; expected one of \(keys.joined(separator: ", "))")
        }
    }

    mutating func optionalMap(_ m: Map, _ key: String) -> Map? {
        guard let node = m.value(key), !isNull(node) else { return nil }
        return mapping(node, at: m.place(key))
    }

    mutating func requiredMap(_ m: Map, _ key: String) -> Map? {
        guard let node = m.value(key), !isNull(node) else {
            fail(m.place(key), "missing")
            return nil
        }
        return mapping(node, at: m.place(key))
    }

    mutating func sequence(_ m: Map, _ key: String) -> [Node] {
        guard let node = m.value(key), !isNull(node) else { return [] }
        guard case .sequence(let seq) = node else {
            fail(m.place(key), "expected a list")
            return []
        }
        return Array(seq)
    }

    private func isNull(_ node: Node) -> Bool {
        if case .scalar(let s) = node, s.style == .plain, ["", "~", "null", "Null", "NULL"].contains(s.string) { return true }
        return false
    }

    /// A scalar with `${VAR}` expanded; nil (and an error) when it is not a scalar or a variable is unset.
    private mutating func scalar(_ node: Node, at place: String) -> String? {
        guard case .scalar(let s) = node else {
            fail(place, "expected a single value, not a list or mapping")
            return nil
        }
        return expand(s.string, at: place)
    }

    static let openMarker = "\u{E000}"
    static let closeMarker = "\u{E001}"

    /// `${NAME}` inside a YAML flow mapping (`secrets: { appSecret: ${WA_APP_SECRET} }`, as the
    /// docs write it) would end the mapping at its `}`. Before parsing, each well-formed `${NAME}` is
    /// turned into private-use markers that YAML treats as plain characters; ``expand(_:at:)``
    /// turns them back.
    static func protectVariables(_ yaml: String) -> String {
        yaml.replacing(/\$\{([A-Za-z0-9_]+)\}/) { match in openMarker + match.output.1 + closeMarker }
    }

    mutating func expand(_ raw: String, at place: String) -> String? {
        let text = raw.replacingOccurrences(of: Self.openMarker, with: "${").replacingOccurrences(of: Self.closeMarker, with: "}")
        guard text.contains("${") else { return text }
        var out = ""
        var rest = Substring(text)
        var ok = true
        while let start = rest.range(of: "${") {
            out += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                fail(place, "unclosed ${ in value")
                return nil
            }
            let name = String(rest[start.upperBound..<end])
            if name.isEmpty || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
                fail(place, "invalid variable name \"${\(name)}\"")
                ok = false
            } else if let value = environment[name] {
                out += value
            } else {
                fail(place, "environment variable \(name) is not set")
                ok = false
            }
            rest = rest[rest.index(after: end)...]
        }
        out += rest
        return ok ? out : nil
    }

    mutating func string(_ m: Map, _ key: String, required: Bool = false) -> String? {
        guard let node = m.value(key), !isNull(node) else {
            if required { fail(m.place(key), "missing") }
            return nil
        }
        guard let v = scalar(node, at: m.place(key)) else { return nil }
        if required && v.isEmpty { fail(m.place(key), "must not be empty") }
        return v
    }

    mutating func int(_ m: Map, _ key: String, range: ClosedRange<Int>) -> Int? {
        guard let v = string(m, key) else { return nil }
        guard let i = Int(v) else {
            fail(m.place(key), "expected a whole number, got \"\(v)\"")
            return nil
        }
        guard range.contains(i) else {
            fail(m.place(key), "must be between \(range.lowerBound) and \(range.upperBound), got \(i)")
            return nil
        }
        return i
    }

    mutating func double(_ m: Map, _ key: String, min: Double) -> Double? {
        guard let v = string(m, key) else { return nil }
        guard let d = Double(v), d.isFinite else {
            fail(m.place(key), "expected a number of seconds, got \"\(v)\"")
            return nil
        }
        guard d >= min else {
            fail(m.place(key), "must be at least \(min), got \(v)")
            return nil
        }
        return d
    }

    mutating func bool(_ m: Map, _ key: String) -> Bool? {
        guard let v = string(m, key) else { return nil }
        switch v.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            fail(m.place(key), "expected true or false, got \"\(v)\"")
            return nil
        }
    }

    mutating func choice(_ m: Map, _ key: String, _ options: [String]) -> String? {
        guard let v = string(m, key) else { return nil }
        guard options.contains(v) else {
            fail(m.place(key), "expected one of \(options.joined(separator: ", ")), got \"\(v)\"")
            return nil
        }
        return v
    }

    mutating func stringList(_ m: Map, _ key: String) -> [String]? {
        guard let node = m.value(key), !isNull(node) else { return nil }
        guard case .sequence(let seq) = node else {
            fail(m.place(key), "expected a list")
            return nil
        }
        return seq.enumerated().compactMap { i, n in scalar(n, at: "\(m.place(key))[\(i)]") }
    }

    /// A map whose values are each a single value or a non-empty list of values (a secret being
    /// rotated: `appSecret: [old, new]`).
    mutating func stringListMap(_ m: Map, _ key: String) -> [String: [String]] {
        guard let sub = optionalMap(m, key) else { return [:] }
        var out: [String: [String]] = [:]
        for (k, node) in sub.pairs {
            if case .sequence(let seq) = node {
                let values = seq.enumerated().compactMap { i, n in scalar(n, at: "\(sub.place(k))[\(i)]") }
                if seq.isEmpty { fail(sub.place(k), "an empty list: give at least one value") }
                if values.count == seq.count, !values.isEmpty { out[k] = values }
            } else if let v = scalar(node, at: sub.place(k)) {
                out[k] = [v]
            }
        }
        return out
    }

    mutating func stringMap(_ m: Map, _ key: String) -> [String: String] {
        guard let sub = optionalMap(m, key) else { return [:] }
        var out: [String: String] = [:]
        for (k, node) in sub.pairs {
            if let v = scalar(node, at: sub.place(k)) { out[k] = v }
        }
        return out
    }
}
