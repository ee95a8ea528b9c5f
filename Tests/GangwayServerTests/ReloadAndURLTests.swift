import Adapters
import Foundation
import GangwayCore
import GangwayDelivery
import NIOCore
import NIOHTTP1
import PostgresNIO
import Testing

@testable import GangwayServer

/// Reload applies every live setting; the signed URL follows publicURL; the PostgreSQL TLS
/// modes mean what libpq says; idle sockets are closed (issue 12).
@Suite struct ReloadAndURLTests {
    @Test func reloadAppliesRetryConcurrencyTimeoutsAndDedupWindowAndNamesWhatNeedsARestart() async throws {
        try await withGateway { h in
            #expect(h.gateway.dispatcher.configuration.retry.maxAttempts == 3)
            let original = try String(contentsOfFile: h.configPath, encoding: .utf8)
            let changed =
                original
                .replacingOccurrences(
                    of: "retry: { maxAttempts: 3, initialBackoffSeconds: 0.05, maxBackoffSeconds: 0.1 }",
                    with: "retry: { maxAttempts: 7, initialBackoffSeconds: 0.2, maxBackoffSeconds: 0.4 }\n  timeoutSeconds: 3\n  maxConcurrency: 5"
                )
                .replacingOccurrences(of: "store: { path: ", with: "store: { dedupWindowHours: 2, path: ")
                .replacingOccurrences(of: "  port: 0\n", with: "  port: 1\n  idleTimeoutSeconds: 9\n  maxConnections: 77\n")
            #expect(changed != original)
            try changed.write(toFile: h.configPath, atomically: true, encoding: .utf8)
            let reply = try await h.admin(.POST, "/reload")
            #expect(reply.status == 200)
            let json = try JSONValue.parse(Array(reply.body.utf8))
            #expect(json["reloaded"]?.bool == true)
            #expect(json["restartRequired"]?.items.compactMap(\.string) == ["server.port", "server.idleTimeoutSeconds"])
            let d = h.gateway.dispatcher.configuration
            #expect(d.retry.maxAttempts == 7)
            #expect(d.retry.initialBackoffSeconds == 0.2)
            #expect(d.maxConcurrency == 5)
            #expect(d.dedupWindowSeconds == 2 * 3600)
            #expect(h.gateway.client.timeout == 3)
            // What needs a restart keeps its running value; the rest is what the file says.
            let live = h.gateway.state.loaded.value.configuration
            #expect(live.server.port == 0)
            #expect(live.server.idleTimeoutSeconds == 30)
            #expect(live.server.maxConnections == 77)
            // Still answering on the same socket.
            #expect(try await h.send(.GET, "/healthz").status == 200)
        }
    }

    @Test func publicURLWinsOverForwardedHeadersAndWithoutEitherTheHostIsUsed() {
        var server = ServerConfiguration()
        server.trustedProxies = [CIDR("127.0.0.1/32")!]
        let forwarded: HeaderFields = ["x-forwarded-proto": "https", "x-forwarded-host": "client-chosen.example", "host": "gw.internal:8080"]
        // nginx copies the client's Host into X-Forwarded-Host: with publicURL set it must not count.
        server.publicURL = "https://hooks.example.com"
        #expect(
            PublicURL.reconstruct(target: "/webhooks/a?x=1", headers: forwarded, authority: "gw.internal:8080", peer: "127.0.0.1", server: server)
                == "https://hooks.example.com/webhooks/a?x=1")
        // Without publicURL a trusted proxy's headers count, an untrusted peer's do not.
        server.publicURL = nil
        #expect(
            PublicURL.reconstruct(target: "/webhooks/a", headers: forwarded, authority: "gw.internal:8080", peer: "127.0.0.1", server: server)
                == "https://client-chosen.example/webhooks/a")
        #expect(
            PublicURL.reconstruct(target: "/webhooks/a", headers: forwarded, authority: "gw.internal:8080", peer: "10.1.1.1", server: server)
                == "http://gw.internal:8080/webhooks/a")
        // Hummingbird moves Host into :authority (no host header left): the URL uses it, never 0.0.0.0.
        #expect(
            PublicURL.reconstruct(target: "/webhooks/a", headers: HeaderFields(), authority: "hooks.local:8080", peer: "10.1.1.1", server: server)
                == "http://hooks.local:8080/webhooks/a")
    }

    @Test func withoutPublicURLATwilioSignatureOverTheHostTheProviderCalledVerifies() async throws {
        let body = try sampleBytes("twilio", "sms.form")
        try await withGateway(yaml: { testYAML(upstream: $0).replacingOccurrences(of: "  publicURL: https://hooks.example.com\n", with: "") }) { h in
            // The provider signs the URL it called: our Host (127.0.0.1:port) and the path.
            let url = h.base + "/webhooks/sms"
            let headers = try h.signedSample(channel: "sms", body: body, contentType: "application/x-www-form-urlencoded", url: url)
            #expect(try await h.send(.POST, "/webhooks/sms", body: body, headers: headers).status == 200)
            let forged = try h.signedSample(
                channel: "sms", body: body, contentType: "application/x-www-form-urlencoded", url: "http://0.0.0.0:8080/webhooks/sms")
            #expect(try await h.send(.POST, "/webhooks/sms", body: body, headers: forged).status == 401)
        }
    }

    @Test func postgresTLSModesAreLibpqs() throws {
        func choice(_ mode: String, root: String? = nil) throws -> PostgresDeliveryStore.TLSChoice {
            try PostgresDeliveryStore.tlsChoice(sslmode: mode, rootCertificate: root)
        }
        #expect(try choice("disable").mode == .disable)
        #expect(try choice("prefer").mode == .prefer && choice("prefer").verification == CertificateVerification.none)
        #expect(try choice("allow").mode == .prefer)
        #expect(try choice("require").mode == .require && choice("require").verification == CertificateVerification.none)
        #expect(try choice("require", root: "/etc/ca.pem").verification == .noHostnameVerification)
        // These two used to become `prefer`, silently.
        #expect(try choice("verify-ca").mode == .require && choice("verify-ca").verification == .noHostnameVerification)
        #expect(try choice("verify-full").mode == .require && choice("verify-full").verification == .fullVerification)
        #expect(throws: PostgresDeliveryStore.StoreURLError.self) { try choice("verify_full") }
        #expect(throws: PostgresDeliveryStore.StoreURLError.self) { try PostgresDeliveryStore.configuration(url: "postgres://u@h/db?sslmode=verify_full") }
        // check-config says so too.
        let yaml = """
            upstream: { baseURL: "http://127.0.0.1:9", apiKey: k }
            store: { driver: postgres, url: "postgres://u@h/db?sslmode=verify_full" }
            """
        #expect(throws: ConfigErrors.self) { try ConfigLoader(providers: AdapterRegistry.standard, environment: [:]).parse(yaml: yaml) }
    }

    /// `store.maxConnections` sizes PostgreSQL's pool (20 when not given); too few is refused with its place.
    @Test func storeMaxConnectionsSizesThePool() throws {
        let loader = ConfigLoader(providers: AdapterRegistry.standard, environment: [:])
        func store(_ extra: String) throws -> StoreConfiguration {
            try loader.parse(
                yaml: """
                    upstream: { baseURL: "http://127.0.0.1:9", apiKey: k }
                    store: { driver: postgres, url: "postgres://u@h/db"\(extra) }
                    """
            ).store
        }
        #expect(try store("").maxConnections == 20)
        #expect(try store(", maxConnections: 6").maxConnections == 6)
        do {
            _ = try store(", maxConnections: 1")
            Issue.record("expected an error")
        } catch let error as ConfigErrors {
            #expect(error.errors.map(\.description).contains { $0.hasPrefix("store.maxConnections:") })
        }
        #expect(try PostgresDeliveryStore.configuration(url: "postgres://u@h/db", maxConnections: 6).options.maximumConnections == 6)
        #expect(try PostgresDeliveryStore.configuration(url: "postgres://u@h/db").options.maximumConnections == 20)
    }

    @Test func anIdleConnectionAndHalfAHeaderAreClosedAfterIdleTimeout() async throws {
        try await withGateway(yaml: { testYAML(upstream: $0).replacingOccurrences(of: "  port: 0\n", with: "  port: 0\n  idleTimeoutSeconds: 0.5\n") }) { h in
            let port = try #require(Int(h.base.split(separator: ":").last ?? ""))
            for opening in [
                "", "POST /webhooks/tg HTTP/1.1\r\nHost: x\r\nContent-Le", "POST /webhooks/tg HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{",
            ] {
                let started = Date()
                let closed = try await RawSocket.closedByPeer(port: port, send: opening, within: 5)
                #expect(closed, "not closed: \(opening.debugDescription)")
                #expect(Date().timeIntervalSince(started) < 3)
            }
            #expect(try await h.send(.GET, "/healthz").status == 200)
        }
    }

    @Test func pastMaxConnectionsNewOnesAreRefusedAndTheGatewayKeepsServing() async throws {
        try await withGateway(yaml: { testYAML(upstream: $0).replacingOccurrences(of: "  port: 0\n", with: "  port: 0\n  maxConnections: 3\n") }) { h in
            let port = try #require(Int(h.base.split(separator: ":").last ?? ""))
            let held = try await RawSocket.openMany(port: port, count: 3)
            #expect(try await eventually(5) { h.gateway.connections.openConnections == 3 })
            // A fourth is closed at once.
            #expect(try await RawSocket.closedByPeer(port: port, send: "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", within: 3, expectNoResponse: true))
            for channel in held { try? await channel.close() }
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await h.send(.GET, "/healthz").status == 200)
        }
    }
}
