import Adapters
import ArgumentParser
import AsyncHTTPClient
import Foundation
import GangwayCore
import NIOCore
import NIOSSL

/// `gangway doctor --url https://hooks.example.com`: checks a deployment from outside, through the
/// public URL the providers are given, with the same config file as the gateway.
struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a deployment from outside, through the public URL the providers are given.",
        discussion: """
            Run it where a provider stands (a laptop, a CI job), with the gateway's config file. It checks \
            the TLS certificate of --url (verified, and not ending within 14 days), the config's \
            server.publicURL against --url, and per channel (every channel, or --channel) that \
            --url/webhooks/<id> answers and refuses an unsigned POST. With --send-sample it also sends each \
            channel's correctly signed sample (as `gangway simulate` does) to the public URL: this proves \
            that the URL the gateway reconstructs is the one providers sign (Twilio, Plivo, Bird), and it \
            FORWARDS A REAL MESSAGE TO THE CHATBOT API. With the config's admin.token, the admin API \
            (at --admin, else --url) confirms each sample's outcome. One line per check (PASS, FAIL, WARN, \
            SKIP) with its reason, then a summary; never a secret. Exit status 0 when no check failed, 1 \
            otherwise.
            """)

    @OptionGroup var options: ConfigOptions
    @Option(help: "The public base URL the providers are given (https://hooks.example.com).") var url: String
    @Option(help: "Check only this channel (default: every channel of the config).") var channel: String?
    @Option(help: "A PEM file of a CA to trust besides the system's roots (a private PKI, tests).") var caFile: String?
    @Flag(help: "Also send each channel's correctly signed sample through --url: this forwards a real message to the chatbot API.")
    var sendSample = false
    @Option(help: "The gateway's base URL for its admin API when the proxy does not expose /admin (http://10.0.0.5:8080); default: --url.")
    var admin: String?
    @Option(help: "Seconds each request (and the TLS handshake) may take.") var timeout: Int = 10

    func validate() throws {
        guard (1...300).contains(timeout) else { throw ValidationError("--timeout must be 1 to 300 seconds") }
        _ = try Self.target(url, option: "--url")
        if let admin { _ = try Self.target(admin, option: "--admin") }
        if let caFile {
            guard (try? NIOSSLCertificate.fromPEMFile(caFile))?.isEmpty == false else {
                throw ValidationError("--ca-file \(caFile): not a readable PEM certificate")
            }
        }
    }

    func run() async throws {
        let config = try options.load()
        let target = try Self.target(url, option: "--url")
        let channels: [ChannelConfiguration]
        if let channel {
            guard let one = config.channel(id: channel) else {
                throw ValidationError("no channel \(channel) in \(options.path); channels: \(config.channels.map(\.id).joined(separator: ", "))")
            }
            channels = [one]
        } else {
            channels = config.channels
        }
        var report = DoctorReport(redactor: Redactor(config: config, urls: [url] + (admin.map { [$0] } ?? [])))
        report.note("gangway doctor: \(target.base) with \(options.path) (\(channels.map(\.id).joined(separator: ", ")))")

        checkPublicURL(config: config, target: target, channels: channels, report: &report)
        let tlsBlocks = await checkTLS(target: target, report: &report)

        let adminBase = try admin.map { try Self.target($0, option: "--admin").base }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile { tls.additionalTrustRoots = [.file(caFile)] }
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(
                tlsConfiguration: tls, redirectConfiguration: .disallow, timeout: .init(connect: .seconds(Int64(timeout)))))
        let context = CheckContext(
            config: config, target: target, client: client, timeout: timeout, sendSample: sendSample,
            adminBase: adminBase ?? target.base, adminOverPlainHTTP: adminBase == nil && !target.isHTTPS)
        var unreachable: String?
        for ch in channels {
            if let tlsBlocks {
                for check in ["reachable", "forwarded-headers", "end-to-end"] {
                    report.add(.skip, check, ch.id, "not tried: \(tlsBlocks)")
                }
                continue
            }
            await checkChannel(ch, context: context, report: &report, unreachable: &unreachable)
        }
        try await client.shutdown()
        report.summary()
        if report.count(.fail) > 0 { throw ExitCode.failure }
    }

    /// What `--url` (or `--admin`) names: an http(s) base URL without query or fragment.
    struct Target: Sendable {
        /// Scheme, host, port and any path, without a trailing slash.
        var base: String
        var scheme: String
        /// Without IPv6 brackets.
        var host: String
        var port: Int
        var isHTTPS: Bool { scheme == "https" }
    }

    static func target(_ text: String, option: String) throws -> Target {
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        guard let c = URLComponents(string: trimmed), let scheme = c.scheme?.lowercased(), ["http", "https"].contains(scheme),
            var host = c.host, !host.isEmpty, c.query == nil, c.fragment == nil
        else {
            throw ValidationError("\(option) \(text): not an http(s) URL such as https://hooks.example.com")
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return Target(base: trimmed, scheme: scheme, host: host, port: c.port ?? (scheme == "https" ? 443 : 80))
    }
}

/// Everything a channel's checks share.
struct CheckContext {
    var config: GangwayConfiguration
    var target: Doctor.Target
    var client: HTTPClient
    var timeout: Int
    var sendSample: Bool
    /// Where `/admin` is asked (`--admin`, else `--url`).
    var adminBase: String
    /// `--url` is plain http and no `--admin` was given: the admin token is not sent over it.
    var adminOverPlainHTTP: Bool
}

/// The doctor's lines, printed as they come, and their tally.
struct DoctorReport {
    enum Verdict: String, CaseIterable {
        case pass = "PASS"
        case warn = "WARN"
        case fail = "FAIL"
        case skip = "SKIP"
    }

    let redactor: Redactor
    private var tally: [Verdict: Int] = [:]

    init(redactor: Redactor) { self.redactor = redactor }

    /// One check: `PASS  reachable [sms]: reason`.
    mutating func add(_ verdict: Verdict, _ check: String, _ channel: String?, _ reason: String) {
        tally[verdict, default: 0] += 1
        let subject = channel.map { " [\($0)]" } ?? ""
        say(redactor.clean("\(verdict.rawValue)  \(check)\(subject): \(reason)"))
    }

    func note(_ line: String) { say(redactor.clean(line)) }

    func count(_ verdict: Verdict) -> Int { tally[verdict] ?? 0 }

    func summary() {
        let failed = count(.fail)
        say(
            "summary: \(count(.pass)) passed, \(count(.warn)) warned, \(failed) failed, \(count(.skip)) skipped: "
                + (failed == 0 ? "nothing failed (exit 0)" : "\(failed) check\(failed == 1 ? "" : "s") failed (exit 1)"))
    }
}

/// Takes every secret of the config (and any password in `--url` / `--admin`) out of a line: the
/// doctor never prints one by construction; this holds for what a server answers too.
struct Redactor {
    private let values: [String]

    init(config: GangwayConfiguration, urls: [String]) {
        var all: [String] = [config.admin.token?.value, config.upstream.apiKey?.value, config.store.url?.value].compactMap { $0 }
        for ch in config.channels {
            if let key = ch.apiKey?.value { all.append(key) }
            all += ch.secretValues.values.flatMap { $0.map(\.value) }
        }
        for text in urls + [config.store.url?.value].compactMap({ $0 }) {
            if let c = URLComponents(string: text), let password = c.password, !password.isEmpty { all.append(password) }
        }
        // Longest first, so that a secret containing another is taken out whole. Very short values
        // would take words out of sentences; scripts/check_secrets.py does not look for them either.
        values = Array(Set(all.filter { $0.count >= 6 })).sorted { $0.count > $1.count }
    }

    func clean(_ line: String) -> String {
        values.reduce(line) { $0.replacingOccurrences(of: $1, with: "<redacted>") }
    }
}
