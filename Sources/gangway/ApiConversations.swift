import ArgumentParser
import Foundation
import GangwayCore
import GangwayDelivery

/// `gangway api conversations ...`: list, create, find, get, delete and patch.
struct ApiConversations: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conversations", abstract: "List, create, find, get, delete and update conversations.",
        subcommands: [List.self, Create.self, Find.self, Get.self, Delete.self, Patch.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The chatbot's conversations (GET .../conversations).")
        @OptionGroup var api: ApiOptions
        @Option(help: "Only this contact's.") var contactId: String?
        @Option(help: "Only this channel's (the chatbot platform's channelId).") var channelId: String?

        func run() async throws {
            try await api.call { client, target, logger in
                try await client.listConversations(
                    chatbotId: target.chatbotId, contactId: contactId, channelId: channelId, apiKey: target.apiKey, logger: logger)
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A new conversation (POST .../conversations) with the given fields.")
        @OptionGroup var api: ApiOptions
        @OptionGroup var fields: FieldOptions

        func run() async throws {
            try await api.call { client, target, logger in
                try await client.createConversation(chatbotId: target.chatbotId, body: fields.body, apiKey: target.apiKey, logger: logger)
            }
        }
    }

    struct Find: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The conversation of a user on a channel (GET .../conversations/find).")
        @OptionGroup var api: ApiOptions
        @Option(help: "The user's id on the provider (as the gateway sends it, e.g. 49123456789).") var providerId: String
        @Option(help: "The channel (default: the --channel's id; required with --chatbot-id).") var channelId: String?

        func validate() throws {
            if api.chatbotId != nil && channelId == nil { throw ValidationError("--chatbot-id needs --channel-id") }
        }

        func run() async throws {
            try await api.call { client, target, logger in
                try await client.findConversation(
                    chatbotId: target.chatbotId, channelId: channelId ?? target.channelId ?? "", providerId: providerId, apiKey: target.apiKey,
                    logger: logger)
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One conversation (GET .../conversations/{id}).")
        @OptionGroup var api: ApiOptions
        @Argument(help: "The conversation's id.") var id: String

        func run() async throws {
            try await api.call { client, target, logger in
                try await client.getConversation(chatbotId: target.chatbotId, conversationId: id, apiKey: target.apiKey, logger: logger)
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deletes a conversation (DELETE .../conversations/{id}).")
        @OptionGroup var api: ApiOptions
        @Argument(help: "The conversation's id.") var id: String

        func run() async throws {
            try await api.call { client, target, logger in
                let deleted = try await client.deleteConversation(chatbotId: target.chatbotId, conversationId: id, apiKey: target.apiKey, logger: logger)
                return .object([("deleted", .bool(deleted))])
            }
        }
    }

    struct Patch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Updates a conversation's fields (PATCH .../conversations/{id}).")
        @OptionGroup var api: ApiOptions
        @Argument(help: "The conversation's id.") var id: String
        @OptionGroup var fields: FieldOptions

        func validate() throws {
            guard !fields.fields.isEmpty else { throw ValidationError("give at least one --field name=value") }
        }

        func run() async throws {
            try await api.call { client, target, logger in
                try await client.updateConversation(
                    chatbotId: target.chatbotId, conversationId: id, body: fields.body, apiKey: target.apiKey, logger: logger)
            }
        }
    }
}

/// `gangway api payload`: a step payload for a conversation.
struct ApiPayload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "payload", abstract: "Processes a step payload (POST .../conversations/payload).")
    @OptionGroup var api: ApiOptions
    @Option(help: "The conversation.") var conversationId: String
    @Option(help: "The flow to execute.") var flowId: String?
    @Option(help: "The step to execute.") var stepId: String?
    @Option(help: "The event to trigger.") var event: String?
    @Option(help: "The event's payload: JSON, sent as a string.") var eventPayload: String?
    @Flag(name: .customLong("async"), help: "Ask the API to process it asynchronously.") var isAsync = false
    @Flag(help: "Mark it as a debug request (isDebug).") var debug = false

    func validate() throws {
        if let eventPayload, (try? JSONValue.parse(Array(eventPayload.utf8))) == nil {
            throw ValidationError("--event-payload must be valid JSON")
        }
    }

    func run() async throws {
        try await api.call { client, target, logger in
            let payload = ChatbotAPIClient.StepPayload(
                chatbotId: target.chatbotId, conversationId: conversationId, flowId: flowId, stepId: stepId, event: event, eventPayload: eventPayload,
                async: isAsync ? true : nil, isDebug: debug ? true : nil)
            return try await client.sendPayload(payload, apiKey: target.apiKey, logger: logger)
        }
    }
}

/// `gangway api custom-event`: a custom event in a conversation.
struct ApiCustomEvent: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "custom-event", abstract: "Triggers a custom event in a conversation (POST .../conversations/custom-event).")
    @OptionGroup var api: ApiOptions
    @Option(help: "The conversation.") var conversationId: String
    @Option(help: "The event's name (e.g. order_completed).") var event: String

    func run() async throws {
        try await api.call { client, target, logger in
            try await client.sendCustomEvent(
                chatbotId: target.chatbotId, conversationId: conversationId, event: event, apiKey: target.apiKey, logger: logger)
        }
    }
}
