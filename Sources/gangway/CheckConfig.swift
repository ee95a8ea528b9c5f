import Adapters
import ArgumentParser
import GangwayCore

struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Validate the configuration and print each channel; every fault is reported at once.")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let config = try options.load()
        say(
            "\(options.path): OK, \(config.channels.count) channel\(config.channels.count == 1 ? "" : "s"), store \(config.store.driver.rawValue), upstream \(config.upstream.baseURL)"
        )
        for ch in config.channels {
            say(
                "  \(ch.id)\t\(ch.provider)\t\(ch.delivery.rawValue)\t\(ch.verification.rawValue)\t/webhooks/\(ch.id)\t\(config.server.webhookURL(channelID: ch.id))"
            )
            // The other URLs the provider is given (voice status callbacks, AudioCodes' activities...).
            for subpath in AdapterRegistry.standard[ch.provider]?.subpaths ?? [] where !subpath.isEmpty {
                say("    also \(config.server.webhookURL(channelID: ch.id))\(subpath)")
            }
        }
        let s = config.server
        say(
            "  server: \(s.host):\(s.port), signed URLs from \(s.publicURL.map { "publicURL \($0)" } ?? (s.trustedProxies.isEmpty ? "the request's Host" : "X-Forwarded-* of trusted proxies, else the request's Host")), idle timeout \(s.idleTimeoutSeconds) s, at most \(s.maxConnections) connections, bodies up to \(s.maxBodyBytes) bytes"
        )
        for ch in config.channels {
            let rotated = ch.secretValues.filter { $0.value.count > 1 }.keys.sorted()
            if !rotated.isEmpty { say("  \(ch.id): rotating \(rotated.joined(separator: ", ")) (any value verifies; simulate signs with the first)") }
        }
        if config.admin.token == nil { say("  (no admin.token: the admin API is off)") }
    }
}
