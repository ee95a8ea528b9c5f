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
        isVoice: Bool = false, methods: Set<String> = ["POST"], subpaths: [String] = [""],
        makeAdapter: @escaping @Sendable (ChannelConfiguration) -> any ChannelAdapter,
        signSample: @escaping @Sendable (inout SampleRequest, ChannelConfiguration) -> Void,
        validate: @escaping @Sendable (ChannelConfiguration) -> [(key: String, message: String)] = { _ in [] }
    ) {
        self.init(
            name: name, requiredSecrets: requiredSecrets, optionalSecrets: optionalSecrets, settings: settings, isVoice: isVoice,
            methods: methods, subpaths: subpaths, makeAdapterInEnvironment: { channel, _ in makeAdapter(channel) }, signSample: signSample, validate: validate)
    }

    /// A provider whose adapter uses the gateway's environment (signing keys, memory).
    public init(
        name: String, requiredSecrets: [ConfigKey], optionalSecrets: [ConfigKey] = [], settings: [ConfigKey] = [],
        isVoice: Bool = false, methods: Set<String> = ["POST"], subpaths: [String] = [""],
        makeAdapterInEnvironment: @escaping @Sendable (ChannelConfiguration, AdapterEnvironment) -> any ChannelAdapter,
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
        self.build = makeAdapterInEnvironment
        self.signSample = signSample
    }

    /// The adapter of a channel, in `environment` (a new, empty one unless given: a test's).
    public func makeAdapter(_ channel: ChannelConfiguration, environment: AdapterEnvironment = AdapterEnvironment()) -> any ChannelAdapter {
        build(channel, environment)
    }
}
