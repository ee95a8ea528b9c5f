import Foundation

/// A channel whose secrets are being rotated (`appSecret: [old, new]`): one adapter per
/// combination of values. A request passes when any of them verifies it, and is then
/// normalized by that one (a secret may also decrypt the body, as WeChat's `encodingAESKey`).
struct RotatingAdapter: ChannelAdapter {
    let variants: [any ChannelAdapter]

    /// Requires at least one variant (``ProviderDescriptor/adapter(for:)`` guarantees it).
    init(_ variants: [any ChannelAdapter]) { self.variants = variants }

    var first: any ChannelAdapter { variants[0] }
    var methods: Set<String> { first.methods }
    func memoryKeys(for request: InboundRequest) -> [String] { first.memoryKeys(for: request) }

    /// A handshake that any variant answers; when every variant refuses, the first refusal.
    func handshake(_ request: InboundRequest) throws(AdapterError) -> AdapterResponse? {
        var firstError: AdapterError?
        for v in variants {
            do {
                if let answer = try v.handshake(request) { return answer }
                return nil
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        if let firstError { throw firstError }
        return nil
    }

    func verify(_ request: InboundRequest) throws(AdapterError) {
        _ = try verifying(request)
    }

    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] {
        // The variant that verifies normalizes; in report mode (nothing verified) the first does.
        let chosen = (try? verifying(request)) ?? first
        return try chosen.normalize(request)
    }

    func acknowledgement(for request: InboundRequest) -> AdapterResponse {
        ((try? verifying(request)) ?? first).acknowledgement(for: request)
    }

    /// The first variant that verifies the request; the first variant's error when none does.
    private func verifying(_ request: InboundRequest) throws(AdapterError) -> any ChannelAdapter {
        var firstError: AdapterError?
        for v in variants {
            do {
                try v.verify(request)
                return v
            } catch {
                // A request that is malformed for one key is malformed for all: no need to go on.
                if error.kind != .unauthorized { throw error }
                if firstError == nil { firstError = error }
            }
        }
        throw firstError ?? .unauthorized("no key to verify with")
    }
}

extension ProviderDescriptor {
    /// The adapter of a channel: the provider's own when each secret has one value; one that
    /// accepts any of the values while a secret is rotated.
    public func adapter(for channel: ChannelConfiguration, environment: AdapterEnvironment = AdapterEnvironment()) -> any ChannelAdapter {
        let rotations = channel.secretRotations
        guard rotations.count > 1 else { return build(channel, environment) }
        let variants = rotations.map { build($0, environment) }
        let rotating = RotatingAdapter(variants)
        if let voice = variants[0].voiceReplies {
            return RotatingVoiceAdapter(rotating: rotating, renderer: voice)
        }
        return rotating
    }
}
