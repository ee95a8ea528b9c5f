import ArgumentParser
import AsyncHTTPClient
import Foundation
import GangwayCore
import GangwayDelivery
import Logging

/// `gangway api ...`: the chatbot API's conversation endpoints through the typed client, with the
/// chatbot, channel and key the configuration gives (`reference/upstream-api.md`).
struct Api: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Call the chatbot API with a configured channel's chatbot and key: conversations, step payloads, custom events.",
        discussion: """
            Each command prints the API's JSON answer on stdout. A non-2xx answer or a connection error is one line on \
            stderr and exit status 1. The API key is never printed.
            """,
        subcommands: [ApiConversations.self, ApiPayload.self, ApiCustomEvent.self])
}

/// Which chatbot, with which key, at which URL: `--channel ID` (a configured channel's chatbotId
/// and channelId, its `apiKey`, else `upstream.apiKey`) or `--chatbot-id X` (`upstream.apiKey`).
struct ApiOptions: ParsableArguments {
    @OptionGroup var options: ConfigOptions
    @Option(help: "A configured channel: its chatbotId, its channelId and its API key (else upstream.apiKey).") var channel: String?
    @Option(help: "A chatbot id, called with upstream.apiKey (instead of --channel).") var chatbotId: String?
    @Option(name: .customLong("base-url"), help: "The chatbot API's base URL (default: upstream.baseURL).") var baseURL: String?

    func validate() throws {
        guard (channel == nil) != (chatbotId == nil) else { throw ValidationError("give either --channel ID or --chatbot-id X") }
        if chatbotId?.isEmpty == true { throw ValidationError("--chatbot-id must not be empty") }
        if let baseURL, !(baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://")) {
            throw ValidationError("--base-url must start with http:// or https://")
        }
    }

    /// What a command calls: the chatbot, the channel (with `--channel`), the key and the API.
    struct Target {
        var chatbotId: String
        var channelId: String?
        var apiKey: String
        var baseURL: String
        var timeout: Double
    }

    /// Reads the configuration; an unknown channel or a missing key is one line on stderr and exit 1.
    func target() throws -> Target {
        let config = try options.load()
        var base = baseURL ?? config.upstream.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        let key: String?
        let target: (chatbotId: String, channelId: String?)
        if let channel {
            guard let ch = config.channel(id: channel) else {
                fail("no channel \(channel) in \(options.path); channels: \(config.channels.map(\.id).joined(separator: ", "))")
            }
            key = ch.apiKey?.value ?? config.upstream.apiKey?.value
            target = (ch.chatbotId, ch.id)
        } else {
            key = config.upstream.apiKey?.value
            target = (chatbotId ?? "", nil)
        }
        guard let key, !key.isEmpty else {
            fail(channel.map { "no API key for channel \($0): set its apiKey or upstream.apiKey" } ?? "no API key: upstream.apiKey is not set")
        }
        return Target(chatbotId: target.chatbotId, channelId: target.channelId, apiKey: key, baseURL: base, timeout: config.upstream.timeoutSeconds)
    }

    /// Runs one call and prints its answer pretty, or the API's error (or why it cannot be reached) on stderr, exit 1.
    func call(_ body: (ChatbotAPIClient, Target, Logger) async throws -> JSONValue) async throws {
        let target = try target()
        var logger = Logger(label: "gangway-api")
        logger.logLevel = .critical
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let client = ChatbotAPIClient(httpClient: http, baseURL: target.baseURL, timeout: target.timeout)
        let outcome: Result<JSONValue, any Error>
        do {
            outcome = .success(try await body(client, target, logger))
        } catch {
            outcome = .failure(error)
        }
        try? await http.shutdown()
        switch outcome {
        case .success(let json):
            say(Self.redact(PrettyJSON.render(json), key: target.apiKey))
        case .failure(let error as ChatbotAPIClient.APIError):
            fail(Self.redact("the chatbot API answered \(error.status)\(error.message.map { ": \($0)" } ?? "")", key: target.apiKey))
        case .failure(let error as ValidationError):
            throw error
        case .failure(let error):
            fail(Self.redact("cannot reach the chatbot API at \(target.baseURL): \(error)", key: target.apiKey))
        }
    }

    /// The key is never printed, even when an answer repeats it (keys shorter than 8 characters,
    /// which only tests use, are left alone so as not to garble the output).
    static func redact(_ text: String, key: String) -> String {
        key.count >= 8 ? text.replacingOccurrences(of: key, with: "<redacted>") : text
    }

    /// One line on stderr, exit status 1.
    func fail(_ message: String) -> Never {
        var err = StandardError()
        print("gangway api: \(message)", to: &err)
        Api.exit(withError: ExitCode.failure)
    }
}

/// `--field name=value`, repeated: the body of create and update (values are strings).
struct FieldOptions: ParsableArguments {
    @Option(name: .customLong("field"), help: ArgumentHelp("A member of the body, as name=value (repeat it).", valueName: "name=value"))
    var fields: [String] = []

    func validate() throws {
        for field in fields {
            guard let eq = field.firstIndex(of: "="), eq != field.startIndex else { throw ValidationError("--field must be name=value, got \"\(field)\"") }
        }
    }

    /// The fields as a body; a name given twice keeps its last value.
    var body: [String: String] {
        var body: [String: String] = [:]
        for field in fields {
            guard let eq = field.firstIndex(of: "=") else { continue }
            body[String(field[..<eq])] = String(field[field.index(after: eq)...])
        }
        return body
    }
}

/// JSON for people: two-space indentation, members in the API's order, numbers exactly as sent.
enum PrettyJSON {
    static func render(_ value: JSONValue, indent: String = "") -> String {
        let inner = indent + "  "
        switch value {
        case .array(let items) where !items.isEmpty:
            return "[\n" + items.map { inner + render($0, indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let members) where !members.isEmpty:
            let lines = members.map { name, member in inner + JSONValue.string(name).serialized() + ": " + render(member, indent: inner) }
            return "{\n" + lines.joined(separator: ",\n") + "\n\(indent)}"
        default:
            return value.serialized()
        }
    }
}
