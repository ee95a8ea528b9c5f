import Foundation
import Synchronization

/// What an adapter may use beyond its channel's configuration, given to it when it is made.
/// The gateway builds one environment (in `buildGateway`) and every channel's adapter shares
/// it, across reloads; a test or a fuzzer builds its own. There is no process-wide instance.
public struct AdapterEnvironment: Sendable {
    /// Signing keys that providers publish (Bot Framework's OpenID metadata), by metadata URL.
    /// The gateway's key fetcher service fills it; adapters read it.
    public var keys: KeyDirectory
    /// A small memory that outlives one request (AudioCodes' caller of each live conversation).
    public var memory: AdapterMemory
    /// The gateway's clock: it stamps each request's `receivedAt`, which is the only time an
    /// adapter reads (signature tolerance, token lifetimes, memory expiry). Tests set it.
    public var clock: @Sendable () -> Date

    public init(keys: KeyDirectory = KeyDirectory(), memory: AdapterMemory = AdapterMemory(), clock: @escaping @Sendable () -> Date = { Date() }) {
        self.keys = keys
        self.memory = memory
        self.clock = clock
    }
}

/// Where ``AdapterMemory`` keeps its values beyond the process: the gateway's store, so that a
/// value survives a restart and every replica sees it.
public protocol AdapterMemoryStore: Sendable {
    /// The values of these keys that have not expired at `now`.
    func recall(keys: [String], now: Date) async throws -> [String: String]
    /// Stores values (replacing earlier ones) until `expiresAt`.
    func remember(_ values: [String: String], expiresAt: Date) async throws
}
