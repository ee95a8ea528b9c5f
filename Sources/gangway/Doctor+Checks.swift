import Adapters
import AsyncHTTPClient
import Foundation
import GangwayCore
import NIOCore
import NIOHTTP1
import NIOPosix

extension Doctor {
    /// Whether a provider's signature covers the URL (its descriptor says so): for them the URL the
    /// gateway reconstructs must be the public one.
    static func signsURL(_ provider: String) -> Bool { AdapterRegistry.standard[provider]?.signatureCoversURL ?? false }
    /// Whether `simulate` can sign a provider's sample (not Bot Framework's: Microsoft's tokens).
    static func canSign(_ provider: String) -> Bool { AdapterRegistry.standard[provider]?.canSignSamples ?? false }
    /// What Gangway answers for a channel it does not have (WebhookRefusal.unknownChannel).
    static let unknownChannelBody = "unknown channel"

    // MARK: - server.publicURL against --url

    func checkPublicURL(config: GangwayConfiguration, target: Target, channels: [ChannelConfiguration], report: inout DoctorReport) {
        let signing = channels.filter { Self.signsURL($0.provider) }.map(\.id)
        let covered = signing.isEmpty ? "no channel checked here signs the URL" : "channels whose signature covers the URL: \(signing.joined(separator: ", "))"
        if let configured = config.server.publicURL {
            if Self.sameOrigin(configured, target.base) {
                report.add(
                    .pass, "public-url", nil,
                    "server.publicURL is \(configured), the same as --url: signatures over the URL are checked against it (\(covered))")
            } else {
                report.add(
                    .warn, "public-url", nil,
                    "server.publicURL is \(configured) but --url is \(target.base): the gateway checks signatures over the URL against "
                        + "server.publicURL (\(covered)); if providers call \(target.base), set server.publicURL to it")
            }
            return
        }
        let proxies = config.server.trustedProxies.map(\.description)
        if proxies.isEmpty && target.isHTTPS && !signing.isEmpty {
            report.add(
                .warn, "public-url", nil,
                "neither server.publicURL nor server.trustedProxies is set: behind a proxy the gateway checks signatures over the URL "
                    + "(\(signing.joined(separator: ", "))) against http://<its own Host>, not \(target.base); set server.publicURL: \(target.base)")
            return
        }
        report.add(
            .pass, "public-url", nil,
            "server.publicURL is not set: the gateway rebuilds the URL from X-Forwarded-Proto/Host/Port sent by server.trustedProxies "
                + "(\(proxies.isEmpty ? "none" : proxies.joined(separator: ", "))), else from the request's Host (\(covered))")
    }

    /// Whether two base URLs have the same scheme, host, port and path (default ports and case aside).
    static func sameOrigin(_ a: String, _ b: String) -> Bool {
        func key(_ s: String) -> String? {
            guard let t = try? target(s, option: "") else { return nil }
            let path = URLComponents(string: t.base)?.path ?? ""
            return "\(t.scheme)://\(t.host.lowercased()):\(t.port)\(path)"
        }
        return key(a) != nil && key(a) == key(b)
    }

    // MARK: - one channel

    /// - Parameter unreachable: why the public URL could not be reached for an earlier channel: the
    ///   next ones fail at once instead of waiting for the same timeout again.
    func checkChannel(_ ch: ChannelConfiguration, context: CheckContext, report: inout DoctorReport, unreachable: inout String?) async {
        let channelURL = context.target.base + "/webhooks/" + ch.id
        let reach: Reach
        if let unreachable {
            reach = Reach(verdict: .fail, reason: "\(channelURL) cannot be reached: \(unreachable) (as before: not tried again)")
        } else {
            reach = await reachable(channelURL, context: context)
            unreachable = reach.transportFailure
        }
        report.add(reach.verdict, "reachable", ch.id, reach.reason)
        let signsURL = Self.signsURL(ch.provider)
        guard reach.verdict != .fail else {
            report.add(.skip, "forwarded-headers", ch.id, "not tried: \(channelURL) does not answer as this Gangway channel (see reachable)")
            report.add(.skip, "end-to-end", ch.id, "not tried: \(channelURL) does not answer as this Gangway channel (see reachable)")
            return
        }
        guard context.sendSample else {
            report.add(
                .skip, "forwarded-headers", ch.id,
                signsURL
                    ? "needs --send-sample: only a correctly signed sample shows that the gateway rebuilds \(channelURL), the URL \(ch.provider) signs"
                    : "not needed: \(ch.provider)'s signature does not cover the URL")
            report.add(
                .skip, "end-to-end", ch.id, "needs --send-sample (it sends the provider's signed sample, which forwards a real message to the chatbot API)")
            return
        }
        let sent = await sendSample(ch, channelURL: channelURL, context: context)
        let (forwarded, forwardedReason) = forwardedVerdict(ch, sent: sent, channelURL: channelURL, reachOpen: reach.open, context: context)
        report.add(forwarded, "forwarded-headers", ch.id, forwardedReason)
        let (endToEnd, endToEndReason) = endToEndVerdict(ch, sent: sent, signsURL: signsURL)
        report.add(endToEnd, "end-to-end", ch.id, endToEndReason)
    }

    /// The `reachable` check's verdict; `open`: an unsigned POST was accepted.
    struct Reach {
        var verdict: DoctorReport.Verdict
        var reason: String
        var open = false
        /// The request got no answer at all: why.
        var transportFailure: String?
    }

    /// An unsigned, empty POST: the gateway must refuse it (and never forwards it).
    func reachable(_ channelURL: String, context: CheckContext) async -> Reach {
        var request = HTTPClientRequest(url: channelURL)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer())
        let answer: Answer
        do {
            answer = try await Self.fetch(request, client: context.client, timeout: context.timeout)
        } catch {
            let why = Self.describe(error, timeout: context.timeout)
            return Reach(verdict: .fail, reason: "\(channelURL) cannot be reached: \(why)", transportFailure: why)
        }
        let status = answer.status
        let said = "an unsigned POST to \(channelURL) got \(status)"
        switch status {
        case 200..<300:
            return Reach(
                verdict: .warn,
                reason: "\(said): the route is open or the channel's verification is in report mode; a forgery would pass too", open: true)
        case 300..<400:
            let location = answer.headers.first(name: "location") ?? "?"
            return Reach(verdict: .warn, reason: "\(said), a redirect to \(location): providers do not follow redirects; register the final URL")
        case 404 where answer.body.trimmingCharacters(in: .whitespacesAndNewlines) == Self.unknownChannelBody:
            return Reach(
                verdict: .fail,
                reason: "\(said) \"unknown channel\": the gateway behind \(context.target.base) has no such channel; it runs another config "
                    + "than \(options.path), or was not reloaded (POST /admin/reload or kill -HUP)")
        case 404:
            return Reach(
                verdict: .fail,
                reason: "\(said) \(Self.excerpt(answer.body)), not from Gangway: the proxy does not pass /webhooks/ to the gateway")
        case 502, 504:
            return Reach(
                verdict: .fail, reason: "\(said): the proxy cannot reach the gateway; is `gangway serve` running, and is the proxy's upstream address right?")
        case 503 where Self.isGangwayUnavailable(answer.body):
            return Reach(verdict: .fail, reason: "\(said) \(Self.excerpt(answer.body)): the gateway is shutting down or cannot reach its store")
        case 503:
            return Reach(verdict: .fail, reason: "\(said) \(Self.excerpt(answer.body)): the proxy cannot reach the gateway; is `gangway serve` running?")
        case 500..<600:
            return Reach(verdict: .fail, reason: "\(said) \(Self.excerpt(answer.body)): the server fails")
        case 400, 401, 403, 405, 413, 415:
            return Reach(verdict: .pass, reason: "\(said), refused as it should be")
        default:
            return Reach(verdict: .warn, reason: "\(said) \(Self.excerpt(answer.body)): answered, but not the refusal Gangway gives (401, 403 or 400)")
        }
    }

    static func isGangwayUnavailable(_ body: String) -> Bool {
        let b = body.trimmingCharacters(in: .whitespacesAndNewlines)
        return b == "shutting down, try again" || b == "cannot store the webhook now, try again"
    }

    // MARK: - HTTP

    /// A server's answer: status, headers and at most 64 KiB of its body as text.
    struct Answer: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: String
    }

    static func fetch(_ request: HTTPClientRequest, client: HTTPClient, timeout: Int) async throws -> Answer {
        let response = try await client.execute(request, timeout: .seconds(Int64(timeout)))
        var bytes = ByteBuffer()
        for try await chunk in response.body {
            bytes.writeImmutableBuffer(chunk.getSlice(at: chunk.readerIndex, length: min(chunk.readableBytes, 65_536 - bytes.readableBytes)) ?? ByteBuffer())
            if bytes.readableBytes >= 65_536 { break }
        }
        return Answer(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }

    /// The first line of a body, at most 160 characters, control characters replaced, quoted.
    static func excerpt(_ body: String) -> String {
        let line = body.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let clean = String(line.unicodeScalars.map { CharacterSet.controlCharacters.contains($0) ? "?" : Character($0) }.prefix(160))
        return clean.isEmpty ? "(empty body)" : "\"\(clean)\""
    }

    /// A transport failure in words: connection refused, DNS, timeouts.
    static func describe(_ error: any Error, timeout: Int) -> String {
        if let e = error as? HTTPClientError {
            switch e {
            case .connectTimeout: return "timed out: no connection within \(timeout) s (a firewall dropping packets, or a wrong address)"
            case .deadlineExceeded, .readTimeout: return "timed out: no answer within \(timeout) s (--timeout)"
            case .tlsHandshakeTimeout: return "timed out during the TLS handshake"
            case .remoteConnectionClosed: return "the server closed the connection without answering"
            default: break
            }
        }
        if let c = error as? NIOConnectionError {
            if let dns = c.dnsAError ?? c.dnsAAAAError { return "DNS failure: \(c.host) cannot be resolved (\(dns))" }
            if let first = c.connectionErrors.first { return describe(first.error, timeout: timeout) }
        }
        if let io = error as? IOError, io.errnoCode == ECONNREFUSED {
            return "connection refused: nothing listens there (is the proxy running, is the port right?)"
        }
        if error is SocketAddressError { return "DNS failure: \(error)" }
        let text = String(describing: error)
        if text.localizedCaseInsensitiveContains("connection refused") {
            return "connection refused: nothing listens there (is the proxy running, is the port right?)"
        }
        return text
    }
}
