import AsyncHTTPClient
import ServiceLifecycle

/// Owns the one `HTTPClient` of the process: runs until shutdown, then shuts it down after
/// the services that use it (it is placed before them in the group).
public struct HTTPClientService: Service {
    public let client: HTTPClient

    public init(client: HTTPClient) { self.client = client }

    public func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
