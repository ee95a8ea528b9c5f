import Logging
import ServiceLifecycle
import UnixSignals

/// `SIGHUP` reloads the configuration file, exactly like `POST /admin/reload` (what operators
/// send to reload nginx must never end the gateway).
struct ReloadSignalService: Service {
    let reloader: ConfigReloader
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            let result = reloader.reload()
            if !result.applied {
                for e in result.errors { logger.error("reload on SIGHUP refused", metadata: ["gangway.config.error": "\(e)"]) }
            }
        }
    }
}
