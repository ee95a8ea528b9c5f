import Adapters
import AsyncHTTPClient
import Foundation
import GangwayCore
import NIOCore
import NIOHTTP1

/// `--send-sample`: the provider's correctly signed sample through the public URL, what it proves
/// about the URL the gateway reconstructs, and the admin API's word on what became of it.
extension Doctor {
    /// What became of a channel's sample.
    enum SampleResult {
        /// Not sent: the verdict and why.
        case notSent(DoctorReport.Verdict, String)
        /// Sent, no answer.
        case unanswered(String)
        /// Sent and answered; `admin`: what the admin API says of it.
        case answered(sample: String, status: Int, body: String, admin: AdminFinding)
    }

    /// What the admin API says of a sample.
    enum AdminFinding {
        /// Not asked, or could not be: why.
        case unavailable(String)
        /// Not among the channel's recent webhooks.
        case missing
        case found(RecentEntry)
    }

    /// One webhook of `GET /admin/channels/{id}/recent`.
    struct RecentEntry: Sendable {
        var sequence: Int
        var method: String
        var subpath: String
        var outcome: String
        var traceId: String?
    }

    func sendSample(_ ch: ChannelConfiguration, channelURL: String, context: CheckContext) async -> SampleResult {
        guard Self.canSign(ch.provider) else {
            return .notSent(.skip, "\(ch.provider)'s requests are signed with tokens only the provider can make: no sample can be sent")
        }
        guard let descriptor = AdapterRegistry.standard[ch.provider] else { return .notSent(.fail, "unknown provider \(ch.provider)") }
        let sample: SampleFiles.Sample
        do {
            guard
                let first = SignedSample.defaultPlan(try SampleFolders.list(provider: ch.provider, voice: descriptor.isVoice), voice: descriptor.isVoice).first
            else {
                return .notSent(.fail, "no samples for \(ch.provider)")
            }
            sample = first
        } catch {
            return .notSent(.fail, "\(error)")
        }
        let baseline = await recent(ch.id, after: nil, context: context)
        // Signed for the URL the provider is given (--url), sent there.
        let request = SignedSample.request(sample, descriptor: descriptor, channel: ch, signedFor: channelURL, sendTo: context.target.base)
        let answer: Answer
        do {
            answer = try await Self.fetch(request, client: context.client, timeout: context.timeout)
        } catch {
            return .unanswered(Self.describe(error, timeout: context.timeout))
        }
        let admin: AdminFinding
        switch baseline {
        case .failure(let why):
            admin = .unavailable(why.reason)
        case .success(let before):
            switch await recent(ch.id, after: before.map(\.sequence).max() ?? 0, context: context) {
            case .failure(let why): admin = .unavailable(why.reason)
            case .success(let after):
                // Newest first: the first of ours after the baseline is the last in the list.
                admin = after.last(where: { $0.method == "POST" && $0.subpath == sample.subpath }).map(AdminFinding.found) ?? .missing
            }
        }
        return .answered(sample: sample.name, status: answer.status, body: answer.body, admin: admin)
    }

    /// The `forwarded-headers` line: a URL-signing provider's sample verified, or why not.
    func forwardedVerdict(
        _ ch: ChannelConfiguration, sent: SampleResult, channelURL: String, reachOpen: Bool, context: CheckContext
    ) -> (DoctorReport.Verdict, String) {
        let config = context.config
        let base = context.target.base
        guard Self.signsURL(ch.provider) else {
            return (.skip, "not needed: \(ch.provider)'s signature does not cover the URL")
        }
        guard case .answered(_, let status, _, _) = sent else { return (.skip, "no signed sample was answered (see end-to-end)") }
        if (200..<300).contains(status) {
            if ch.verification == .report || reachOpen {
                return (
                    .warn,
                    "the sample passed, but verification lets failures through here (verification: report, or an unsigned POST passed): "
                        + "this proves nothing about the URL; watch gangway_verification_failures_total{channel=\"\(ch.id)\"} before enforcing"
                )
            }
            let how =
                config.server.publicURL == nil
                ? "from a trusted proxy's X-Forwarded-Proto/Host/Port, or the request's Host" : "from server.publicURL"
            return (.pass, "\(ch.provider)'s signature over \(channelURL) verified: the gateway rebuilds the URL providers call (\(how))")
        }
        guard status == 401 else { return (.skip, "the sample was answered \(status), not 401 (see end-to-end)") }
        let refused = "the gateway refused \(ch.provider)'s correctly signed sample for \(channelURL) with 401"
        let log = "the gateway's log line `webhook refused: verification failed` names the URL it checked"
        if let configured = config.server.publicURL {
            if Self.sameOrigin(configured, base) {
                return (
                    .fail,
                    "\(refused), although server.publicURL is --url: the running gateway's \(ch.provider) secrets for \(ch.id) differ from "
                        + "\(options.path) (another config, or not reloaded), or the proxy rewrites the path or query; \(log)"
                )
            }
            return (
                .fail,
                "\(refused): server.publicURL is \(configured), not \(base), and the gateway checks the signature against "
                    + "server.publicURL (X-Forwarded-* is then ignored); set server.publicURL to the URL providers call; \(log)"
            )
        }
        let proxies = config.server.trustedProxies.map(\.description)
        return (
            .fail,
            "\(refused): usually the proxy's X-Forwarded-Proto/Host/Port are not believed, because the proxy's address (as the gateway "
                + "sees it) is not in server.trustedProxies (now: \(proxies.isEmpty ? "none" : proxies.joined(separator: ", "))), so the "
                + "gateway checks http://<its own Host>/webhooks/\(ch.id) instead; add the proxy's address to server.trustedProxies, or set "
                + "server.publicURL: \(base); also make sure the proxy sends them (deploy/nginx/gangway.conf); \(log)"
        )
    }

    /// The `end-to-end` line: the provider's acknowledgement, and the admin API's confirmation.
    func endToEndVerdict(_ ch: ChannelConfiguration, sent: SampleResult, signsURL: Bool) -> (DoctorReport.Verdict, String) {
        switch sent {
        case .notSent(let verdict, let why):
            return (verdict, why)
        case .unanswered(let why):
            return (.fail, "the signed sample got no answer: \(why)")
        case .answered(let sample, let status, let body, let admin):
            let said = "the signed \(ch.provider) sample \"\(sample)\" was answered \(status)"
            guard (200..<300).contains(status) else {
                if status == 401 {
                    return (
                        .fail,
                        signsURL
                            ? "\(said) \(Self.excerpt(body)): see forwarded-headers"
                            : "\(said) \(Self.excerpt(body)): the running gateway's \(ch.provider) secrets for \(ch.id) differ from "
                                + "\(options.path) (another config, or not reloaded: POST /admin/reload or kill -HUP)"
                    )
                }
                return (.fail, "\(said) \(Self.excerpt(body)), not the provider's acknowledgement (2xx)")
            }
            switch admin {
            case .unavailable(let why):
                return (.pass, "\(said), the provider's acknowledgement; not confirmed through the admin API: \(why)")
            case .missing:
                return (
                    .warn,
                    "\(said), but the admin API does not list it among \(ch.id)'s recent webhooks (did another replica answer it?)"
                )
            case .found(let entry):
                let trace = entry.traceId.map { ", trace \($0)" } ?? ""
                switch entry.outcome {
                case "accepted", "duplicate", "answered":
                    return (.pass, "\(said), the provider's acknowledgement; the admin API shows it arrived: outcome \(entry.outcome)\(trace)")
                case "fallback":
                    return (.fail, "\(said), but the chatbot API did not answer the call in time: the caller heard the fallback\(trace)")
                default:
                    return (.warn, "\(said), but the admin API shows outcome \(entry.outcome)\(trace)")
                }
            }
        }
    }

    // MARK: - the admin API

    struct AdminProblem: Error {
        var reason: String
    }

    /// `GET /admin/channels/{id}/recent[?after=N]` at `--admin` (else `--url`) with the config's admin token.
    func recent(_ channelID: String, after: Int?, context: CheckContext) async -> Result<[RecentEntry], AdminProblem> {
        guard let token = context.config.admin.token?.value, !token.isEmpty else {
            return .failure(AdminProblem(reason: "the config has no admin.token, so the gateway has no admin API"))
        }
        guard !context.adminOverPlainHTTP else {
            return .failure(AdminProblem(reason: "admin.token is not sent over plain http to --url; pass --admin with the gateway's address to ask it"))
        }
        let id = channelID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? channelID
        let adminURL = "\(context.adminBase)/admin"
        var request = HTTPClientRequest(url: "\(adminURL)/channels/\(id)/recent" + (after.map { "?after=\($0)" } ?? ""))
        request.headers.add(name: "authorization", value: "Bearer \(token)")
        let answer: Answer
        do {
            answer = try await Self.fetch(request, client: context.client, timeout: context.timeout)
        } catch {
            return .failure(AdminProblem(reason: "\(adminURL) cannot be reached: \(Self.describe(error, timeout: context.timeout))"))
        }
        let json = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8))
        switch answer.status {
        case 200:
            guard let items = (json as? [String: Any])?["items"] as? [[String: Any]] else {
                return .failure(AdminProblem(reason: "\(adminURL) answered 200 but not the admin API's JSON"))
            }
            return .success(
                items.compactMap { item in
                    guard let sequence = item["sequence"] as? Int, let method = item["method"] as? String, let outcome = item["outcome"] as? String
                    else { return nil }
                    return RecentEntry(
                        sequence: sequence, method: method, subpath: item["subpath"] as? String ?? "", outcome: outcome,
                        traceId: item["traceId"] as? String)
                })
        case 401:
            return .failure(AdminProblem(reason: "\(adminURL) refused this config's admin.token (401): the running gateway has another token"))
        case 404 where json != nil:
            return .failure(AdminProblem(reason: "\(adminURL) does not know channel \(channelID) (404)"))
        case 404:
            return .failure(
                AdminProblem(
                    reason:
                        "\(adminURL) is not the admin API (404; a proxy keeps /admin private, as deploy/nginx does): pass --admin with the gateway's own address"
                ))
        default:
            return .failure(AdminProblem(reason: "\(adminURL) answered \(answer.status) \(Self.excerpt(answer.body))"))
        }
    }
}
