import AsyncHTTPClient
import Foundation
import GangwayCore
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Keeps ``KeyDirectory`` filled for adapters that verify RS256 tokens (Bot Framework): for each
/// OpenID metadata URL an adapter registered, fetches the metadata document, follows its
/// `jwks_uri` and stores the key set. Refreshes every 24 h, and early (at most once a minute per
/// URL) when an adapter met an unknown `kid`.
///
/// The directory is the gateway's ``AdapterEnvironment/keys``; `buildGateway` runs this service
/// after ``HTTPClientService``.
public struct OpenIDKeyFetcher: Service {
    let client: HTTPClient
    let directory: KeyDirectory
    let pollInterval: Duration
    let logger: Logger

    public init(client: HTTPClient, directory: KeyDirectory, pollInterval: Duration = .seconds(5), logger: Logger) {
        self.client = client
        self.directory = directory
        self.pollInterval = pollInterval
        self.logger = logger
    }

    public func run() async throws {
        // Stops at once on graceful shutdown (the sleep is cancelled).
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await refreshDue()
                try await Task.sleep(for: pollInterval)
            }
        }
    }

    /// Fetches every URL that is due now; failures are logged and tried again at the next poll.
    public func refreshDue(now: Date = Date()) async {
        for url in directory.urlsDue(now: now) {
            do {
                let keys = try await fetchKeys(metadataURL: url)
                directory.update(url, keys: keys, at: now)
                logger.debug("signing keys refreshed", metadata: ["gangway.keys.url": "\(url)", "gangway.keys.count": "\(keys.keys.count)"])
            } catch {
                logger.warning("cannot fetch signing keys", metadata: ["gangway.keys.url": "\(url)", "error": "\(error)"])
            }
        }
    }

    /// The keys behind an OpenID metadata URL (`jwks_uri`).
    public func fetchKeys(metadataURL: String) async throws -> KeySet {
        let metadata = try await getJSON(metadataURL)
        guard let jwksURI = metadata["jwks_uri"]?.string else { throw FetchError("no jwks_uri in \(metadataURL)") }
        let keys = KeySet(jwks: try await getJSON(jwksURI))
        guard !keys.isEmpty else { throw FetchError("no usable RSA keys at \(jwksURI)") }
        return keys
    }

    private func getJSON(_ url: String) async throws -> JSONValue {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "accept", value: "application/json")
        let response = try await client.execute(request, timeout: .seconds(10), logger: logger)
        guard response.status.code == 200 else { throw FetchError("\(url) answered \(response.status.code)") }
        let body = try await response.body.collect(upTo: 1 << 20)
        return try JSONValue.parse(body.readableBytesView)
    }

    struct FetchError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
