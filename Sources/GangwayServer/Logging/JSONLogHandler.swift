import Foundation
import GangwayCore
import Logging
import Synchronization

/// One JSON object per line on standard error: `time`, `level`, `label`, `message`, then the
/// metadata (the handler's, the provider's and the line's; later ones win), for log pipelines
/// that want JSON (`serve --log-format json`, or `log: { format: json }` in the config). The
/// gateway never puts a secret in a log line; this handler writes what it is given.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    let label: String
    let write: @Sendable (String) -> Void

    /// - Parameters:
    ///   - label: the logger's label.
    ///   - write: where each line goes (standard error by default).
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil, write: (@Sendable (String) -> Void)? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write ?? Self.standardError
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        var members: [(String, JSONValue)] = [
            ("time", .string(Self.time(Date()))), ("level", .string(event.level.rawValue)), ("label", .string(label)),
            ("message", .string(event.message.description)),
        ]
        if let error = event.error { members.append(("error", .string("\(error)"))) }
        for key in merged.keys.sorted() where !["time", "level", "label", "message"].contains(key) {
            if let value = merged[key] { members.append((key, Self.json(value))) }
        }
        write(JSONValue.object(members).serialized() + "\n")
    }

    static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let s): .string(s)
        case .stringConvertible(let c): .string(c.description)
        case .array(let items): .array(items.map(json))
        case .dictionary(let d): .object(d.keys.sorted().compactMap { k in d[k].map { (k, json($0)) } })
        }
    }

    /// Writes whole lines to standard error, one at a time (lines from several threads never interleave).
    static let standardError: @Sendable (String) -> Void = { line in
        lineLock.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// `2026-12-06T10:00:00.123Z`.
    static func time(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = Timestamps.iso8601(unixSeconds: seconds.rounded(.down))
        let millis = SafeNumbers.int((seconds - seconds.rounded(.down)) * 1000, clampedTo: 0...999) ?? 0
        let digits = String(millis)
        return whole.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    private static let lineLock = Mutex<Void>(())
}
