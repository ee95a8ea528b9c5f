import Foundation
import Synchronization

/// Values adapters remember between the requests of one conversation (AudioCodes' caller), with
/// a lifetime and a bound. Adapters read and write it synchronously; the gateway loads what a
/// request needs from the ``AdapterMemoryStore`` before the adapter runs (``load(_:now:)``, the
/// keys the adapter names in ``ChannelAdapter/memoryKeys(for:)``) and writes what it remembered
/// back before answering (``persist()``). Without a store (tests) it is in-process only.
public final class AdapterMemory: Sendable {
    /// How long a value is kept after it was remembered.
    public let lifetime: TimeInterval
    /// Values kept in the process at most; past it the expired, then the oldest, are dropped
    /// (the store keeps them).
    public let capacity: Int
    private let store: (any AdapterMemoryStore)?
    private struct State {
        var values: [String: (value: String, expiresAt: Date)] = [:]
        var unsaved: [String: (value: String, expiresAt: Date)] = [:]
    }
    private let state = Mutex(State())

    public init(lifetime: TimeInterval = 4 * 3600, capacity: Int = 10_000, store: (any AdapterMemoryStore)? = nil) {
        self.lifetime = lifetime
        self.capacity = capacity
        self.store = store
    }

    public func remember(_ value: String, for key: String, at now: Date) {
        let entry = (value: value, expiresAt: now.addingTimeInterval(lifetime))
        state.withLock { s in
            if s.values.count >= capacity, s.values[key] == nil {
                s.values = s.values.filter { $0.value.expiresAt > now }
                if s.values.count >= capacity, let oldest = s.values.min(by: { $0.value.expiresAt < $1.value.expiresAt })?.key { s.values[oldest] = nil }
            }
            s.values[key] = entry
            if store != nil { s.unsaved[key] = entry }
        }
    }

    public func recall(_ key: String, at now: Date) -> String? {
        state.withLock { s in
            guard let entry = s.values[key], entry.expiresAt > now else { return nil }
            return entry.value
        }
    }

    public var count: Int { state.withLock { $0.values.count } }

    /// Brings these keys in from the store when the process does not hold them (after a
    /// restart, or remembered by another replica). A store that fails leaves them unknown: the
    /// adapter falls back as it would without memory.
    public func load(_ keys: [String], now: Date) async {
        guard let store else { return }
        let missing = state.withLock { s in keys.filter { s.values[$0].map { $0.expiresAt <= now } ?? true } }
        guard !missing.isEmpty, let found = try? await store.recall(keys: missing, now: now) else { return }
        state.withLock { s in
            for (key, value) in found where s.values[key] == nil {
                // The store keeps the expiry; here a loaded value lives one lifetime at most.
                s.values[key] = (value, now.addingTimeInterval(lifetime))
            }
        }
    }

    /// Writes what was remembered since the last call to the store.
    /// - Throws: the store's error (the values stay in the process and are tried again next time).
    public func persist() async throws {
        guard let store else { return }
        let unsaved = state.withLock { s -> [String: (value: String, expiresAt: Date)] in
            let u = s.unsaved
            s.unsaved = [:]
            return u
        }
        guard !unsaved.isEmpty else { return }
        let expiresAt = unsaved.values.map(\.expiresAt).max() ?? Date()
        do {
            try await store.remember(unsaved.mapValues(\.value), expiresAt: expiresAt)
        } catch {
            state.withLock { s in s.unsaved.merge(unsaved) { new, _ in new } }
            throw error
        }
    }
}
