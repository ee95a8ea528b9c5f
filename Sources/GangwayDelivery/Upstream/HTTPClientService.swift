import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// Owns the one `HTTPClient` of the process: runs until shutdown, then shuts it down after
/// the services that use it (it is placed before them in the group).
public struct HTTPClientService: Service {
    public let client: HTTPClient
    /// The client's own event loops (``deliveryEventLoopGroup()``), shut down after it.
    public let group: (any EventLoopGroup)?

    public init(client: HTTPClient, group: (any EventLoopGroup)? = nil) {
        self.client = client
        self.group = group
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
        try await group?.shutdownGracefully()
    }

    /// The event loop of the chatbot API client: one thread of its own, at a lower scheduling
    /// priority (nice +10) than the threads that accept webhooks. When both compete for the cores,
    /// acknowledging webhooks goes first and delivery takes what is left (its calls wait on disk
    /// meanwhile); when the cores are not all busy, the priority changes nothing.
    public static func deliveryEventLoopGroup() -> MultiThreadedEventLoopGroup {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        #if canImport(Glibc)
        group.next().execute {
            // On Linux a thread's nice value is its own: PRIO_PROCESS with the thread's id, which
            // /proc/thread-self names (`<pid>/task/<tid>`; Swift's Glibc has no gettid).
            guard let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self"),
                let tid = link.split(separator: "/").last.flatMap({ id_t($0) })
            else { return }
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), tid, 10)
        }
        #endif
        return group
    }
}
