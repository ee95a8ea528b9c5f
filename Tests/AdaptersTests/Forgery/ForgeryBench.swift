import Adapters
import Foundation
import GangwayCore
import GangwayFuzz
import Testing

/// What verify said.
enum Verdict: Equatable, CustomStringConvertible {
    case passed
    case refused(AdapterError.Kind)

    init(_ adapter: any ChannelAdapter, _ request: InboundRequest) {
        do {
            try adapter.verify(request)
            self = .passed
        } catch {
            self = .refused(error.kind)
        }
    }

    var isRefused: Bool { self != .passed }

    var description: String {
        switch self {
        case .passed: "passed"
        case .refused(let kind): "refused (\(kind.rawValue))"
        }
    }
}

/// One row of the matrix with its provider's demo channel, samples and signer.
struct ForgeryBench {
    /// The receive time of every request in the matrix.
    static let now = Date(timeIntervalSince1970: 1_764_151_200)
    static let benches: Result<[String: ProviderBench], DemoBench.LoadError> = Result { () throws(DemoBench.LoadError) in
        Dictionary(try DemoBench.load().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    let scheme: ForgeryScheme
    let bench: ProviderBench

    init(_ scheme: ForgeryScheme) throws {
        self.scheme = scheme
        let base = try #require(try Self.benches.get()[scheme.provider], "no demo channel for \(scheme.provider)")
        bench = base.with(channel: scheme.channel(base.channel))
    }

    var adapter: any ChannelAdapter { bench.adapter }
    var samples: [SampleFiles.Sample] { bench.samples }

    /// The sample as the provider sends it, signed at `signedAt` (default: ``now``) and received at ``now``.
    /// - Parameters:
    ///   - body / contentType / url / method: what is signed instead of the sample's own.
    ///   - sign: how to sign instead of the provider's way.
    func request(
        _ sample: SampleFiles.Sample, signedAt: Date = now, method: String = "POST", url: String? = nil, contentType: String? = nil,
        body: [UInt8]? = nil, channel: ChannelConfiguration? = nil, sign: ((inout SampleRequest) -> Void)? = nil
    ) -> InboundRequest {
        var request = SampleRequest(
            method: method, url: url ?? bench.webhookURL + sample.subpath, contentType: contentType ?? sample.contentType,
            body: body ?? sample.body, now: signedAt)
        if let sign { sign(&request) } else { bench.sign(&request, as: channel) }
        var inbound = sample.inbound(request)
        inbound.receivedAt = Self.now
        return inbound
    }

    /// What the adapter says of a request.
    func verdict(_ request: InboundRequest) -> Verdict { Verdict(adapter, request) }

    /// The calls of a request, or nil when the mapping refuses it.
    func calls(_ request: InboundRequest) -> [InboundCall]? { try? adapter.normalize(request) }

    /// A forged request is harmless when verify refuses it (401, or 415 for a content type the
    /// signature cannot cover: any refusal by verify but 401 is final even in `verification: report`
    /// mode), or when it verifies but the gateway forwards exactly what the authentic request means
    /// (or the mapping refuses it).
    func isHarmless(_ forged: InboundRequest, authentic: InboundRequest) -> Bool {
        switch verdict(forged) {
        case .refused: return true
        case .passed:
            guard let forgedCalls = calls(forged) else { return true }
            return forgedCalls == calls(authentic)
        }
    }
}

extension InboundRequest {
    /// The same request with the headers rebuilt from `fields` (names as given).
    func with(headers fields: [(String, String)]) -> InboundRequest {
        var copy = self
        copy.headers = HeaderFields(fields)
        return copy
    }

    /// The same request at another URL (its query re-read from it).
    func with(url: String) -> InboundRequest {
        var copy = self
        copy.url = url
        copy.query = FormField.parseQuery(ofURL: url)
        return copy
    }

    /// The same request with the query parameters rebuilt from `fields`.
    func with(query fields: [FormField]) -> InboundRequest {
        with(url: String(url.prefix { $0 != "?" }) + (fields.isEmpty ? "" : "?" + FormField.encode(fields)))
    }

    func with(body: [UInt8]) -> InboundRequest {
        var copy = self
        copy.body = body
        return copy
    }

    func with(contentType: String) -> InboundRequest {
        replacingHeader("content-type", with: contentType)
    }
}

extension String {
    /// The text with its middle character replaced by another one of the same kind (digit, letter,
    /// other). The middle, not the end: the last base64 character of a signature may carry only
    /// padding bits, and changing those leaves the decoded bytes as they were.
    var withMiddleCharacterChanged: String {
        guard !isEmpty else { return "x" }
        var chars = Array(self)
        let i = chars.count / 2
        let c = chars[i]
        chars[i] = c.isNumber ? (c == "1" ? "2" : "1") : c.isLetter ? (c == "a" ? "b" : "a") : (c == "=" ? "A" : "=")
        return String(chars)
    }
}
