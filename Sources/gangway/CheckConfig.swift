import ArgumentParser
import GangwayCore

struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Validate the configuration and print each channel; every fault is reported at once.")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let config = try options.load()
        say("\(options.path): OK, \(config.channels.count) channel\(config.channels.count == 1 ? "" : "s"), store \(config.store.driver.rawValue), upstream \(config.upstream.baseURL)")
        for ch in config.channels {
            say(
                "  \(ch.id)\t\(ch.provider)\t\(ch.delivery.rawValue)\t\(ch.verification.rawValue)\t/webhooks/\(ch.id)\t\(config.server.webhookURL(channelID: ch.id))"
            )
        }
        if config.admin.token == nil { say("  (no admin.token: the admin API is off)") }
    }
}
