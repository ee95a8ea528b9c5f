import Foundation
import ServiceLifecycle

/// The first service told to shut down: flips `/readyz` to 503 and refuses new webhooks (503,
/// so that providers retry elsewhere or later), waits `delay` so a load balancer can notice,
/// then lets the server stop. Placed last in the group, so it is shut down first.
struct DrainGate: Service {
    let state: GatewayState
    let delay: Double

    func run() async throws {
        try? await gracefulShutdown()
        state.setPhase(.draining)
        if delay > 0 { try? await Task.sleep(for: .seconds(delay)) }
    }
}
