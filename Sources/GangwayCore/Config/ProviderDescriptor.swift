import Foundation

/// What the gateway knows about a provider: its config contract (secrets and settings), its
/// default delivery mode, how to build its adapter, and how to sign a sample for `simulate`.
public struct ProviderDescriptor: Sendable {
    public var name: String
    public var requiredSecrets: [String]
    public var optionalSecrets: [String]
    /// Setting keys the provider understands (values are not secret).
    public var settings: [String]
    /// Voice providers default to `delivery: direct` and answer in the webhook's response
    /// (their adapter's ``ChannelAdapter/voiceReplies`` renders the chatbot's answer).
    public var isVoice: Bool
    /// The HTTP methods the provider calls with (its adapter answers others 405).
    public var methods: Set<String>
    /// The paths under `/webhooks/{channel}` the provider calls (`""` is the channel's URL itself):
    /// what an operator registers, as `check-config` prints them.
    public var subpaths: [String]
    /// The provider's signature covers the URL it called (scheme, host, port, path): the URL the
    /// gateway reconstructs must be the public one (`server.publicURL`, trusted `X-Forwarded-*`).
    public var signatureCoversURL: Bool
    /// Whether ``signSample`` makes requests the adapter accepts: false when only the provider
    /// holds the signing key (Bot Framework's tokens are Microsoft's).
    public var canSignSamples: Bool
    /// Builds the adapter of a channel (secrets are already validated as present) with what the
    /// gateway gives adapters (keys, memory).
    public var build: @Sendable (ChannelConfiguration, AdapterEnvironment) -> any ChannelAdapter
    /// Signs a sample request the way the provider would (for `gangway simulate` and tests).
    public var signSample: @Sendable (inout SampleRequest, ChannelConfiguration) -> Void
    /// Checks of a channel that go beyond required keys (a setting required in some mode): each
    /// fault's key is relative to the channel (`settings.appId`). None by default.
    public var validate: @Sendable (ChannelConfiguration) -> [(key: String, message: String)]

    /// A provider whose adapter needs nothing beyond its channel.
    public init(
        name: String, requiredSecrets: [ConfigKey], optionalSecrets: [ConfigKey] = [], settings: [ConfigKey] = [],
        isVoice: Bool = false, methods: Set<String> = ["POST"], subpaths: [String] = [""], signatureCoversURL: Bool = false,
        canSignSamples: Bool = true, makeAdapter: @escaping @Sendable (ChannelConfiguration) -> any ChannelAdapter,
        signSample: @escaping @Sendable (inout SampleRequest, ChannelConfiguration) -> Void,
        validate: @escaping @Sendable (ChannelConfiguration) -> [(key: String, message: String)] = { _ in [] }
    ) {
        self.init(
            name: name, requiredSecrets: requiredSecrets, optionalSecrets: optionalSecrets, settings: settings, isVoice: isVoice,
            methods: methods, subpaths: subpaths, signatureCoversURL: signatureCoversURL, canSignSamples: canSignSamples,
            makeAdapterInEnvironment: { channel, _ in makeAdapter(channel) }, signSample: signSample, validate: validate)
    }

    /// A provider whose adapter uses the gateway's environment (signing keys, memory).
    public init(
        name: String, requiredSecrets: [ConfigKey], optionalSecrets: [ConfigKey] = [], settings: [ConfigKey] = [],
        isVoice: Bool = false, methods: Set<String> = ["POST"], subpaths: [String] = [""], signatureCoversURL: Bool = false,
        canSignSamples: Bool = true, makeAdapterInEnvironment: @escaping @Sendable (ChannelConfiguration, AdapterEnvironment) -> any ChannelAdapter,
        signSample: @escaping @Sendable (inout SampleRequest, ChannelConfiguration) -> Void,
        validate: @escaping @Sendable (ChannelConfiguration) -> [(key: String, message: String)] = { _ in [] }
    ) {
        self.validate = validate
        self.name = name
        self.requiredSecrets = requiredSecrets.map(\.name)
        self.optionalSecrets = optionalSecrets.map(\.name)
        self.settings = settings.map(\.name)
        self.isVoice = isVoice
        self.methods = methods
        self.subpaths = subpaths
        self.signatureCoversURL = signatureCoversURL
        self.canSignSamples = canSignSamples
        self.build = makeAdapterInEnvironment
        self.signSample = signSample
    }

    /// The adapter of a channel, in `environment` (a new, empty one unless given: a test's).
    public func makeAdapter(_ channel: ChannelConfiguration, environment: AdapterEnvironment = AdapterEnvironment()) -> any ChannelAdapter {
        build(channel, environment)
    }
}
