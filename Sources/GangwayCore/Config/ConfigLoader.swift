import Foundation
import Yams

/// Reads the YAML configuration strictly and reports every fault at once.
///
/// Keys (types and defaults):
/// - `server.host` (string, `0.0.0.0`), `server.port` (int, 8080), `server.publicURL` (URL),
///   `server.trustedProxies` ([CIDR], none), `server.maxBodyBytes` (int, 1048576),
///   `server.idleTimeoutSeconds` (30), `server.maxConnections` (10000)
/// - `admin.token` (secret; no token, no admin API)
/// - `upstream.baseURL` (URL, required), `upstream.apiKey` (secret), `upstream.timeoutSeconds` (10),
///   `upstream.maxConcurrency` (64), `upstream.retry.{maxAttempts (15), initialBackoffSeconds (1),
///   maxBackoffSeconds (600), maxAgeSeconds (86400)}`
/// - `log.format` (`text` | `json`), `log.level` (`info`)
/// - `telemetry.otlpEndpoint` (http(s) URL of an OTLP/HTTP collector, required in the section),
///   `telemetry.serviceName` (`gangway`); no section, no tracing
/// - `store.driver` (`sqlite` | `postgres`), `store.path` (`data/gangway.sqlite`), `store.url` (secret),
///   `store.dedupWindowHours` (168), `store.maxConnections` (20, PostgreSQL's pool per process)
/// - `channels[]`: `id`, `name`, `provider`, `chatbotId` (required), `apiKey` (secret), `async` (bool),
///   `delivery` (`queued` | `direct`), `verification` (`enforce` | `report`), `secrets` (map),
///   `settings` (map), `fallback.{say, then (hangup | transfer), to}`, `deadlineSeconds` (8). Each
///   secret is a value or a list of values while it is rotated (`appSecret: [old, new]`).
///
/// `${NAME}` in any value is replaced by the environment variable NAME; unset is an error.
/// Unknown keys are errors. Durations are seconds, fractions allowed.
public struct ConfigLoader: Sendable {
    public var providers: ProviderRegistry
    public var environment: [String: String]

    public init(providers: ProviderRegistry, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.providers = providers
        self.environment = environment
    }

    /// Loads a file.
    /// - Throws: ``ConfigErrors`` with every fault found.
    public func load(path: String) throws(ConfigErrors) -> GangwayConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigErrors([ConfigError(place: path, message: "cannot read the file")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigErrors([ConfigError(place: path, message: "the file is not UTF-8")])
        }
        return try parse(yaml: text)
    }

    /// Parses YAML text.
    /// - Throws: ``ConfigErrors`` with every fault found.
    public func parse(yaml: String) throws(ConfigErrors) -> GangwayConfiguration {
        let node: Node?
        do {
            node = try Yams.compose(yaml: ConfigReader.protectVariables(yaml))
        } catch {
            throw ConfigErrors([ConfigError(place: "yaml", message: "not valid YAML: \(error)")])
        }
        var reader = ConfigReader(environment: environment)
        guard let node, let root = reader.mapping(node, at: "") else {
            throw ConfigErrors([ConfigError(place: "yaml", message: "the document must be a mapping with server, upstream, store and channels")])
        }
        let config = build(root, reader: &reader)
        if !reader.errors.isEmpty { throw ConfigErrors(reader.errors) }
        // build() only returns nil when it recorded an error.
        return config!
    }

    private func build(_ root: ConfigReader.Map, reader r: inout ConfigReader) -> GangwayConfiguration? {
        r.allowOnly(root, ["server", "admin", "upstream", "store", "channels", "log", "telemetry"])
        var telemetry: TelemetryConfiguration?
        if let m = r.optionalMap(root, "telemetry") {
            r.allowOnly(m, ["otlpEndpoint", "serviceName"])
            var t = TelemetryConfiguration(otlpEndpoint: "")
            if let v = r.string(m, "otlpEndpoint", required: true) {
                if let u = URL(string: v), let scheme = u.scheme, ["http", "https"].contains(scheme), u.host != nil, u.query == nil {
                    t.otlpEndpoint = v.hasSuffix("/") ? String(v.dropLast()) : v
                } else {
                    r.fail(m.place("otlpEndpoint"), "expected the http(s) URL of an OTLP/HTTP collector like http://collector:4318, got \"\(v)\"")
                }
            }
            if let v = r.string(m, "serviceName") {
                if v.isEmpty { r.fail(m.place("serviceName"), "must not be empty") } else { t.serviceName = v }
            }
            telemetry = t
        }
        var log = LogConfiguration()
        if let m = r.optionalMap(root, "log") {
            r.allowOnly(m, ["format", "level"])
            if let v = r.choice(m, "format", LogConfiguration.formats) { log.format = v }
            if let v = r.choice(m, "level", LogConfiguration.levels) { log.level = v }
        }

        var server = ServerConfiguration()
        if let m = r.optionalMap(root, "server") {
            r.allowOnly(m, ["host", "port", "publicURL", "trustedProxies", "maxBodyBytes", "idleTimeoutSeconds", "maxConnections"])
            if let v = r.double(m, "idleTimeoutSeconds", min: 0.1) { server.idleTimeoutSeconds = v }
            if let v = r.int(m, "maxConnections", range: 1...1_000_000) { server.maxConnections = v }
            if let v = r.string(m, "host") { server.host = v }
            if let v = r.int(m, "port", range: 0...65535) { server.port = v }
            if let v = r.string(m, "publicURL") {
                if let u = URL(string: v), let scheme = u.scheme, ["http", "https"].contains(scheme), u.host != nil,
                    u.query == nil
                {
                    server.publicURL = v.hasSuffix("/") ? String(v.dropLast()) : v
                } else {
                    r.fail(m.place("publicURL"), "expected an http(s) URL without query, got \"\(v)\"")
                }
            }
            if let list = r.stringList(m, "trustedProxies") {
                for (i, item) in list.enumerated() {
                    if let c = CIDR(item) {
                        server.trustedProxies.append(c)
                    } else {
                        r.fail("\(m.place("trustedProxies"))[\(i)]", "expected an address or CIDR like 10.0.0.0/8, got \"\(item)\"")
                    }
                }
            }
            if let v = r.int(m, "maxBodyBytes", range: 1...(64 << 20)) { server.maxBodyBytes = v }
        }

        var admin = AdminConfiguration()
        if let m = r.optionalMap(root, "admin") {
            r.allowOnly(m, ["token"])
            if let v = r.string(m, "token") {
                if v.count < 8 { r.fail(m.place("token"), "too short: use at least 8 characters") } else { admin.token = Secret(v) }
            }
        }

        var upstream: UpstreamConfiguration?
        if let m = r.requiredMap(root, "upstream") {
            r.allowOnly(m, ["baseURL", "apiKey", "timeoutSeconds", "maxConcurrency", "retry"])
            if let v = r.string(m, "baseURL", required: true) {
                if let u = URL(string: v), let scheme = u.scheme, ["http", "https"].contains(scheme), u.host != nil {
                    upstream = UpstreamConfiguration(baseURL: v.hasSuffix("/") ? String(v.dropLast()) : v)
                } else {
                    r.fail(m.place("baseURL"), "expected an http(s) URL, got \"\(v)\"")
                }
            }
            var u = upstream ?? UpstreamConfiguration(baseURL: "")
            if let v = r.string(m, "apiKey") { u.apiKey = Secret(v) }
            if let v = r.double(m, "timeoutSeconds", min: 0.001) { u.timeoutSeconds = v }
            if let v = r.int(m, "maxConcurrency", range: 1...10_000) { u.maxConcurrency = v }
            if let rm = r.optionalMap(m, "retry") {
                r.allowOnly(rm, ["maxAttempts", "initialBackoffSeconds", "maxBackoffSeconds", "maxAgeSeconds"])
                if let v = r.int(rm, "maxAttempts", range: 1...1000) { u.retry.maxAttempts = v }
                if let v = r.double(rm, "initialBackoffSeconds", min: 0) { u.retry.initialBackoffSeconds = v }
                if let v = r.double(rm, "maxBackoffSeconds", min: 0) { u.retry.maxBackoffSeconds = v }
                if let v = r.double(rm, "maxAgeSeconds", min: 0) { u.retry.maxAgeSeconds = v }
                if u.retry.maxBackoffSeconds < u.retry.initialBackoffSeconds {
                    r.fail(rm.place("maxBackoffSeconds"), "must not be less than initialBackoffSeconds")
                }
            }
            if upstream != nil { upstream = u }
        }

        var store = StoreConfiguration()
        if let m = r.optionalMap(root, "store") {
            r.allowOnly(m, ["driver", "path", "url", "dedupWindowHours", "maxConnections"])
            if let v = r.choice(m, "driver", StoreConfiguration.Driver.all.map(\.rawValue)) { store.driver = .init(rawValue: v) }
            if let v = r.string(m, "path") { store.path = v }
            if let v = r.string(m, "url") { store.url = Secret(v) }
            if let v = r.double(m, "dedupWindowHours", min: 0) { store.dedupWindowHours = v }
            if let v = r.int(m, "maxConnections", range: 2...1_000) { store.maxConnections = v }
            if store.driver == .postgres {
                if let url = store.url?.value {
                    if !(url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")) {
                        r.fail(m.place("url"), "expected postgres://user:password@host:5432/database")
                    }
                    let modes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]
                    if let mode = URLComponents(string: url)?.queryItems?.first(where: { $0.name == "sslmode" })?.value, !modes.contains(mode) {
                        r.fail(m.place("url"), "sslmode \(mode) is not one of \(modes.joined(separator: ", "))")
                    }
                } else {
                    r.fail(m.place("url"), "required with driver postgres")
                }
            }
        }

        var channels: [ChannelConfiguration] = []
        var seen: [String: Int] = [:]
        for (i, node) in r.sequence(root, "channels").enumerated() {
            let place = "channels[\(i)]"
            guard let m = r.mapping(node, at: place) else { continue }
            guard let ch = channel(m, reader: &r, upstreamKey: upstream?.apiKey) else { continue }
            if let first = seen[ch.id] {
                r.fail("\(place).id", "duplicate channel id \"\(ch.id)\" (also channels[\(first)])")
                continue
            }
            seen[ch.id] = i
            channels.append(ch)
        }

        guard let upstream else { return nil }
        var config = GangwayConfiguration(server: server, admin: admin, upstream: upstream, store: store, channels: channels)
        config.log = log
        config.telemetry = telemetry
        return config
    }

    private func channel(_ m: ConfigReader.Map, reader r: inout ConfigReader, upstreamKey: Secret?) -> ChannelConfiguration? {
        r.allowOnly(
            m,
            [
                "id", "name", "provider", "chatbotId", "apiKey", "async", "delivery", "verification", "secrets", "settings", "fallback",
                "deadlineSeconds",
            ])
        let id = r.string(m, "id", required: true)
        if let id, id.isEmpty || !id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) {
            r.fail(m.place("id"), "use only letters, digits, '_' and '-' (it is a URL path segment), got \"\(id)\"")
        }
        let name = r.string(m, "name", required: true)
        let chatbotId = r.string(m, "chatbotId", required: true)
        let providerName = r.string(m, "provider", required: true)
        var descriptor: ProviderDescriptor?
        if let providerName {
            descriptor = providers[providerName]
            if descriptor == nil {
                r.fail(m.place("provider"), "unknown provider \"\(providerName)\"; known: \(providers.names.joined(separator: ", "))")
            }
        }
        guard let id, let name, let chatbotId, let providerName else { return nil }
        var ch = ChannelConfiguration(id: id, name: name, provider: providerName, chatbotId: chatbotId)
        if let v = r.string(m, "apiKey") { ch.apiKey = Secret(v) }
        if ch.apiKey == nil && upstreamKey == nil {
            r.fail(m.place("apiKey"), "no chatbot API key: set upstream.apiKey or this channel's apiKey")
        }
        if let v = r.bool(m, "async") { ch.async = v }
        ch.delivery = descriptor?.isVoice == true ? .direct : .queued
        if let v = r.choice(m, "delivery", ChannelConfiguration.Delivery.all.map(\.rawValue)) { ch.delivery = .init(rawValue: v) }
        if ch.delivery == .direct && descriptor?.isVoice != true {
            r.fail(m.place("delivery"), "direct delivery is for voice providers only")
        }
        if let v = r.choice(m, "verification", ChannelConfiguration.Verification.all.map(\.rawValue)) { ch.verification = .init(rawValue: v) }
        if let v = r.double(m, "deadlineSeconds", min: 0.1) { ch.deadlineSeconds = v }

        let secretLists = r.stringListMap(m, "secrets")
        let secrets = secretLists.compactMapValues(\.first)
        let settings = r.stringMap(m, "settings")
        if let d = descriptor {
            for key in secrets.keys.sorted() where !(d.requiredSecrets + d.optionalSecrets).contains(key) {
                r.fail(
                    "\(m.place("secrets")).\(key)", "unknown secret for \(d.name); expected \((d.requiredSecrets + d.optionalSecrets).joined(separator: ", "))")
            }
            for key in d.requiredSecrets where (secrets[key] ?? "").isEmpty {
                r.fail("\(m.place("secrets")).\(key)", "missing: \(d.name) needs \(d.requiredSecrets.joined(separator: ", "))")
            }
            for (key, values) in secretLists.sorted(by: { $0.key < $1.key }) where values.count > 1 && values.contains(where: \.isEmpty) {
                r.fail("\(m.place("secrets")).\(key)", "a rotated secret has an empty value")
            }
            for key in settings.keys.sorted() where !d.settings.contains(key) {
                r.fail(
                    "\(m.place("settings")).\(key)",
                    d.settings.isEmpty ? "\(d.name) has no settings" : "unknown setting for \(d.name); expected \(d.settings.joined(separator: ", "))")
            }
        }
        ch.secrets = secrets.mapValues(Secret.init)
        ch.secretValues = secretLists.mapValues { $0.map(Secret.init) }
        ch.settings = settings
        if let text = settings[ConfigKey.toleranceSeconds.name], SafeNumbers.finite(Double(text), in: ConfigKey.toleranceSecondsRange) == nil {
            r.fail("\(m.place("settings")).toleranceSeconds", "expected a number of seconds from 1 to 86400, got \"\(text)\"")
        }
        if let d = descriptor {
            for fault in d.validate(ch) { r.fail("\(m.place(fault.key))", fault.message) }
        }
        if let fm = r.optionalMap(m, "fallback") {
            r.allowOnly(fm, ["say", "then", "to"])
            var fb = ChannelConfiguration.Fallback()
            if let v = r.string(fm, "say") { fb.say = v }
            if let v = r.choice(fm, "then", ["hangup", "transfer"]) { fb.then = v }
            fb.to = r.string(fm, "to")
            if fb.then == "transfer" && fb.to == nil { r.fail(fm.place("to"), "required when then is transfer") }
            ch.fallback = fb
        }
        return ch
    }
}

/// One fault in the configuration, with its place (`channels[2].secrets.authToken`).
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var place: String
    public var message: String
    public init(place: String, message: String) {
        self.place = place
        self.message = message
    }
    public var description: String { "\(place): \(message)" }
}

/// Every fault found in one configuration.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ConfigError]
    public init(_ errors: [ConfigError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
