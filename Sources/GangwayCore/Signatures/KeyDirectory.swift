import Foundation
import Synchronization
import _CryptoExtras

/// Key sets by OpenID metadata URL: a fetcher service fills them, adapters read them (one
/// directory per gateway, in its ``AdapterEnvironment``). An adapter that meets an unknown key id marks its URL for an early refresh (keys are
/// rotated; a new `kid` must trigger a fetch, not a permanent failure).
public final class KeyDirectory: Sendable {
    private struct Entry {
        var keys = KeySet()
        var fetchedAt: Date?
        var wantsRefresh = true
    }

    private let entries = Mutex<[String: Entry]>([:])

    public init() {}

    /// Makes a metadata URL known, so that the fetcher loads it.
    public func register(_ metadataURL: String) {
        entries.withLock { entries in
            if entries[metadataURL] == nil { entries[metadataURL] = Entry() }
        }
    }

    /// Replaces the keys of a metadata URL (called by the fetcher).
    public func update(_ metadataURL: String, keys: KeySet, at date: Date = Date()) {
        entries.withLock { $0[metadataURL] = Entry(keys: keys, fetchedAt: date, wantsRefresh: false) }
    }

    /// The URLs to fetch now: never fetched, older than `maxAge`, or asked for by an unknown `kid`.
    /// An early refresh is not repeated more often than `minInterval`.
    public func urlsDue(now: Date = Date(), maxAge: TimeInterval = 86_400, minInterval: TimeInterval = 60) -> [String] {
        entries.withLock { entries in
            entries.compactMap { url, entry in
                guard let fetched = entry.fetchedAt else { return url }
                let age = now.timeIntervalSince(fetched)
                return age >= maxAge || (entry.wantsRefresh && age >= minInterval) ? url : nil
            }.sorted()
        }
    }

    /// The key source of one metadata URL, for an adapter.
    public func source(for metadataURL: String) -> any SigningKeySource {
        register(metadataURL)
        return Source(directory: self, url: metadataURL)
    }

    fileprivate func key(id: String, url: String) -> KeySet.Key? {
        entries.withLock { entries in
            if let key = entries[url]?.keys.key(id: id) { return key }
            entries[url, default: Entry()].wantsRefresh = true
            return nil
        }
    }

    private struct Source: SigningKeySource {
        let directory: KeyDirectory
        let url: String
        func key(id: String) -> KeySet.Key? { directory.key(id: id, url: url) }
    }
}
