import Foundation
import GangwayDelivery
import Hummingbird
import Metrics
import NIOCore

/// `/healthz`, `/readyz` and `/metrics`.
struct HealthController: Sendable {
    let state: GatewayState
    let store: any DeliveryStore
    /// Renders the Prometheus text (nil: metrics are not exported by this process).
    let renderMetrics: (@Sendable () -> String)?

    func addRoutes(to router: Router<GatewayRequestContext>) {
        router.get("/healthz") { _, _ in Self.text(.ok, "ok\n") }
        router.get("/readyz") { _, _ in await self.ready() }
        router.get("/metrics") { _, _ in await self.metrics() }
    }

    func ready() async -> Response {
        switch state.currentPhase {
        case .starting: return Self.text(.serviceUnavailable, "starting\n")
        case .draining: return Self.text(.serviceUnavailable, "draining\n")
        case .ready:
            do {
                try await store.ping()
                return Self.text(.ok, "ready\n")
            } catch {
                return Self.text(.serviceUnavailable, "store unreachable\n")
            }
        }
    }

    func metrics() async -> Response {
        guard let renderMetrics else { return Self.text(.notFound, "metrics are not enabled\n") }
        if let stats = try? await store.statistics() {
            Gauge(label: "gangway_queue_depth", dimensions: [("state", "pending")]).record(stats.pending)
            Gauge(label: "gangway_queue_depth", dimensions: [("state", "dead")]).record(stats.dead)
            let age = stats.oldestPendingCreatedAt.map { Date().timeIntervalSince($0) } ?? 0
            Gauge(label: "gangway_oldest_pending_age_seconds").record(age)
        }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: renderMetrics())))
    }

    static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
