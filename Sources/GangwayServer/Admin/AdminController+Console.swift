import Foundation
import GangwayCore
import GangwayDelivery
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The admin routes the console lives on: each channel's live totals, its last webhooks, a
/// conversation found through the chatbot API, and the OpenAPI document of the whole admin API.
extension AdminController {
    func addConsoleRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.get("channels/:id/recent") { request, context in self.recentWebhooks(request, context) }
        group.get("conversations") { request, context in await self.findConversation(request, logger: context.logger) }
        group.get("openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: AdminOpenAPI.document)))
        }
    }

    /// What a channel has done since the process started, and its queue: the console's row.
    static func activityJSON(_ totals: ChannelActivity.Totals, pending: Int, oldestPending: Date?, now: Date) -> [(String, JSONValue)] {
        func n(_ v: Int) -> JSONValue { .number(String(v)) }
        let age = oldestPending.map { max(0, now.timeIntervalSince($0)) }
        return [
            (
                "activity",
                .object([
                    ("received", n(totals.received)), ("accepted", n(totals.accepted)), ("duplicates", n(totals.duplicates)),
                    ("refused", n(totals.refused)), ("verificationFailures", n(totals.verificationFailures)), ("other", n(totals.other)),
                    ("forwarded", n(totals.forwarded)), ("retried", n(totals.retried)), ("dead", n(totals.dead)),
                ])
            ),
            ("pending", n(pending)),
            ("oldestPendingAgeSeconds", age.map { .number(String(format: "%.3f", $0)) } ?? .null),
        ]
    }

    /// `GET /admin/channels/{id}/recent?after=N`: the channel's last webhooks, newest first.
    func recentWebhooks(_ request: Request, _ context: GatewayRequestContext) -> Response {
        let id = context.parameters.get("id") ?? ""
        guard state.loaded.value.channels[id] != nil else { return Self.error(.notFound, "no such channel") }
        var after: Int?
        if let a = request.uri.queryParameters["after"] {
            guard let n = Int(a), n >= 0 else { return Self.error(.badRequest, "after must be a sequence number (0 or more)") }
            after = n
        }
        let items: [JSONValue] = recent.list(channel: id, after: after).map { e in
            .object([
                ("sequence", .number(String(e.sequence))),
                ("receivedAt", .string(e.receivedAt.formatted(.iso8601))),
                ("method", .string(e.method)),
                ("subpath", .string(e.subpath)),
                ("outcome", .string(e.outcome)),
                ("status", .number(String(e.status))),
                ("traceId", .from(e.traceId)),
                (
                    "calls",
                    .array(
                        e.calls.map { c in
                            .object([
                                ("kind", .string(c.kind.rawValue)), ("idempotencyKey", .string(c.key)),
                                ("envelope", (try? JSONValue.parse(Array(c.envelope))) ?? .null),
                            ])
                        })
                ),
            ])
        }
        return Self.json(.object([("items", .array(items))]))
    }

    /// `GET /admin/conversations?channel=&providerId=`: the chatbot API's `conversations/find` for
    /// that channel's chatbot, with the channel's API key (never shown).
    func findConversation(_ request: Request, logger: Logger) async -> Response {
        let q = request.uri.queryParameters
        guard let channelID = q["channel"].map(String.init), !channelID.isEmpty, let providerId = q["providerId"].map(String.init), !providerId.isEmpty
        else {
            return Self.error(.badRequest, "channel and providerId are both required")
        }
        let loaded = state.loaded.value
        guard let channel = loaded.channels[channelID]?.configuration else { return Self.error(.notFound, "no such channel") }
        do {
            let found = try await client.findConversation(
                chatbotId: channel.chatbotId, channelId: channel.id, providerId: providerId, apiKey: loaded.apiKey(channelID: channel.id),
                logger: logger)
            return Self.json(
                .object([
                    ("channel", .string(channel.id)), ("chatbotId", .string(channel.chatbotId)), ("providerId", .string(providerId)),
                    ("conversation", found),
                ]))
        } catch let error as ChatbotAPIClient.APIError {
            let status: HTTPResponse.Status = error.status == 404 ? .notFound : .badGateway
            return Self.json(
                .object([("error", .string(error.description)), ("upstreamStatus", .number(String(error.status)))]), status: status)
        } catch {
            return Self.error(.badGateway, "the chatbot API cannot be reached: \(error)")
        }
    }
}
