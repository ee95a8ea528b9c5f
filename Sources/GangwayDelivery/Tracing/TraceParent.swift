import Foundation

/// A W3C Trace Context `traceparent` (`00-<trace-id>-<parent-id>-<flags>`), parsed strictly:
/// lowercase hex of the right lengths, neither id all zeros, version `ff` refused. A value that
/// does not parse is ignored (a new trace starts), as the specification asks.
public struct TraceParent: Sendable, Equatable, CustomStringConvertible {
    /// 32 lowercase hex digits.
    public var traceID: String
    /// 16 lowercase hex digits: the span the next hop is a child of.
    public var parentID: String
    /// 2 hex digits (`01`: sampled).
    public var flags: String

    public init?(_ header: String) {
        let parts = header.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4 else { return nil }
        let version = String(parts[0])
        guard Self.isHex(version, count: 2), version != "ff" else { return nil }
        // Version 00 has exactly four fields; a later version may add some after them.
        guard version != "00" || parts.count == 4 else { return nil }
        let trace = String(parts[1])
        let parent = String(parts[2])
        let flags = String(parts[3])
        guard Self.isHex(trace, count: 32), Self.isHex(parent, count: 16), Self.isHex(flags, count: 2) else { return nil }
        guard trace != String(repeating: "0", count: 32), parent != String(repeating: "0", count: 16) else { return nil }
        self.traceID = trace
        self.parentID = parent
        self.flags = flags
    }

    public init(traceID: String, parentID: String, flags: String) {
        self.traceID = traceID
        self.parentID = parentID
        self.flags = flags
    }

    /// A new trace with a random trace id and parent id, not sampled (nothing records it).
    public static func random() -> TraceParent {
        func hex(_ bytes: Int) -> String {
            var g = SystemRandomNumberGenerator()
            return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &g)) }.joined()
        }
        // An all-zero id is invalid; one in 2^64 draws would make it.
        var trace = hex(16)
        if trace.allSatisfy({ $0 == "0" }) { trace = String(trace.dropLast()) + "1" }
        var parent = hex(8)
        if parent.allSatisfy({ $0 == "0" }) { parent = String(parent.dropLast()) + "1" }
        return TraceParent(traceID: trace, parentID: parent, flags: "00")
    }

    /// The header value, version 00.
    public var description: String { "00-\(traceID)-\(parentID)-\(flags)" }

    private static func isHex(_ s: String, count: Int) -> Bool {
        s.utf8.count == count && s.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
