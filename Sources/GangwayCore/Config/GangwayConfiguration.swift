import Foundation

/// The whole configuration, nested like the YAML file (DESIGN.md, section 1).
/// ``ConfigLoader`` lists every key with its type and default.
public struct GangwayConfiguration: Sendable {
    public var server: ServerConfiguration
    public var admin: AdminConfiguration
    public var upstream: UpstreamConfiguration
    public var store: StoreConfiguration
    public var channels: [ChannelConfiguration]
    public var log: LogConfiguration = .init()
    /// Where traces go; nil: no tracing (nothing is exported and no span is made).
    public var telemetry: TelemetryConfiguration?

    public init(
        server: ServerConfiguration = .init(), admin: AdminConfiguration = .init(), upstream: UpstreamConfiguration,
        store: StoreConfiguration = .init(), channels: [ChannelConfiguration] = []
    ) {
        self.server = server
        self.admin = admin
        self.upstream = upstream
        self.store = store
        self.channels = channels
    }

    public func channel(id: String) -> ChannelConfiguration? { channels.first(where: { $0.id == id }) }
}

public struct ServerConfiguration: Sendable {
    public var host: String = "0.0.0.0"
    public var port: Int = 8080
    /// How providers reach us, e.g. `https://hooks.example.com` (no trailing slash).
    public var publicURL: String?
    /// Peers whose `X-Forwarded-*` headers are believed.
    public var trustedProxies: [CIDR] = []
    public var maxBodyBytes: Int = 1_048_576
    /// A connection that sends nothing for this long (between requests, inside the headers or
    /// inside a body) is closed.
    public var idleTimeoutSeconds: Double = 30
    /// Open connections at most; past it new connections are closed at once.
    public var maxConnections: Int = 10_000
    public init() {}

    /// The URL a provider is given for a channel.
    public func webhookURL(channelID: String) -> String {
        let base = publicURL ?? "http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(port)"
        return "\(base)/webhooks/\(channelID)"
    }
}

/// `log:`: how `serve` writes its log (the command line's `--log-format` and `--log-level` win).
public struct LogConfiguration: Sendable, Equatable {
    /// `text` (one line per event, the default) or `json` (one JSON object per line).
    public var format: String = "text"
    /// `trace`, `debug`, `info` (default), `notice`, `warning`, `error`, `critical`.
    public var level: String = "info"
    public static let formats = ["text", "json"]
    public static let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
    public init() {}
}

/// `telemetry:`: traces over OTLP/HTTP (protobuf) to a collector.
public struct TelemetryConfiguration: Sendable, Equatable {
    /// The collector's base URL, e.g. `http://collector:4318` (spans go to `/v1/traces` below it).
    public var otlpEndpoint: String
    /// The `service.name` resource attribute of every span.
    public var serviceName: String = "gangway"
    public init(otlpEndpoint: String, serviceName: String = "gangway") {
        self.otlpEndpoint = otlpEndpoint
        self.serviceName = serviceName
    }
    /// Where the spans are posted.
    public var tracesURL: String { otlpEndpoint + "/v1/traces" }
}

public struct AdminConfiguration: Sendable {
    /// Bearer token for `/admin`; no token, no admin API.
    public var token: Secret?
    public init(token: Secret? = nil) { self.token = token }
}

public struct UpstreamConfiguration: Sendable {
    /// The chatbot API, e.g. `https://chatbot-api.example.com`.
    public var baseURL: String
    public var apiKey: Secret?
    public var timeoutSeconds: Double = 10
    public var maxConcurrency: Int = 64
    public var retry: RetryPolicy = .init()
    public init(baseURL: String, apiKey: Secret? = nil) {
        self.baseURL = baseURL
        self.apiKey = apiKey
    }
}

public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int = 15
    public var initialBackoffSeconds: Double = 1
    public var maxBackoffSeconds: Double = 600
    public var maxAgeSeconds: Double = 86_400
    public init(maxAttempts: Int = 15, initialBackoffSeconds: Double = 1, maxBackoffSeconds: Double = 600, maxAgeSeconds: Double = 86_400) {
        self.maxAttempts = maxAttempts
        self.initialBackoffSeconds = initialBackoffSeconds
        self.maxBackoffSeconds = maxBackoffSeconds
        self.maxAgeSeconds = maxAgeSeconds
    }
}

public struct StoreConfiguration: Sendable {
    public struct Driver: RawRepresentable, Sendable, Hashable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let sqlite = Driver(rawValue: "sqlite")
        public static let postgres = Driver(rawValue: "postgres")
        public static let all: [Driver] = [.sqlite, .postgres]
    }

    public var driver: Driver = .sqlite
    public var path: String = "data/gangway.sqlite"
    public var url: Secret?
    public var dedupWindowHours: Double = 168
    /// PostgreSQL: connections this process opens at most (its pool). Stored webhooks share
    /// statements (two at most in flight) and delivered outcomes one at a time, so a replica uses
    /// few (4-5 at full ingest here); retries, dead letters and the admin API take one each while
    /// they run.
    public var maxConnections: Int = 20
    public init() {}
}

public struct ChannelConfiguration: Sendable {
    public struct Delivery: RawRepresentable, Sendable, Hashable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let queued = Delivery(rawValue: "queued")
        public static let direct = Delivery(rawValue: "direct")
        public static let all: [Delivery] = [.queued, .direct]
    }

    public struct Verification: RawRepresentable, Sendable, Hashable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Reject what fails the check (401).
        public static let enforce = Verification(rawValue: "enforce")
        /// Log and count failures, let the calls through.
        public static let report = Verification(rawValue: "report")
        public static let all: [Verification] = [.enforce, .report]
    }

    /// What a voice caller hears when the chatbot API fails.
    public struct Fallback: Sendable, Equatable {
        public var say: String
        /// `hangup` or `transfer`.
        public var then: String
        public var to: String?
        public init(say: String = "Sorry, please call again later.", then: String = "hangup", to: String? = nil) {
            self.say = say
            self.then = then
            self.to = to
        }
    }

    /// The chatbot platform's channelId; also the URL path segment.
    public var id: String
    public var name: String
    public var provider: String
    public var chatbotId: String
    public var apiKey: Secret?
    public var async: Bool?
    public var delivery: Delivery = .queued
    public var verification: Verification = .enforce
    /// Each secret's first (current) value: what adapters are built with and `simulate` signs with.
    public var secrets: [String: Secret] {
        get { secretValues.compactMapValues(\.first) }
        set { secretValues = newValue.mapValues { [$0] } }
    }
    /// Every value of each secret: more than one while a secret is rotated (`appSecret: [old, new]`).
    public var secretValues: [String: [Secret]] = [:]
    public var settings: [String: String] = [:]
    public var fallback: Fallback?
    /// Direct mode: how long the provider waits for an answer.
    public var deadlineSeconds: Double = 8

    public init(id: String, name: String, provider: String, chatbotId: String) {
        self.id = id
        self.name = name
        self.provider = provider
        self.chatbotId = chatbotId
    }

    /// The named secret's (first) value, or an empty string (the loader guarantees required ones).
    public func secret(_ key: String) -> String { secretValues[key]?.first?.value ?? "" }

    /// The channel once per combination of its rotated secrets' values (just itself when no
    /// secret has more than one value), each with plain single-valued secrets. A request passes
    /// when it verifies with any of them. The combinations are capped at 16.
    public var secretRotations: [ChannelConfiguration] {
        var variants: [[String: Secret]] = [[:]]
        for (key, values) in secretValues.sorted(by: { $0.key < $1.key }) {
            variants = variants.flatMap { partial in values.map { v in partial.merging([key: v]) { $1 } } }
            if variants.count > 16 { variants = Array(variants.prefix(16)) }
        }
        return variants.map { secrets in
            var ch = self
            ch.secretValues = secrets.mapValues { [$0] }
            return ch
        }
    }
}
