import Foundation
import GangwayCore
import GangwayDelivery
import HTTPTypes
import Hummingbird
import NIOCore

/// The admin API (DESIGN.md, section 2): channels, deliveries, dead letters, reload.
struct AdminController: Sendable {
    let state: GatewayState
    let store: any DeliveryStore
    let dispatcher: Dispatcher
    let reloader: ConfigReloader
    let client: ChatbotAPIClient
    let activity: ChannelActivity
    let recent: RecentWebhooks

    func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.get("channels") { _, _ in try await self.channels() }
        group.get("deliveries") { request, _ in try await self.list(request) }
        group.get("deliveries/:id") { _, context in try await self.show(context) }
        group.post("deliveries/:id/replay") { _, context in try await self.replayOne(context) }
        group.post("deliveries/replay") { request, _ in try await self.replayAll(request) }
        group.delete("deliveries") { request, _ in try await self.purge(request) }
        group.post("reload") { _, _ in self.reload() }
        group.get("schema/upstream-envelope.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/schema+json"],
                body: .init(byteBuffer: ByteBuffer(string: UpstreamEnvelope.jsonSchema)))
        }
        addConsoleRoutes(to: group)
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: value.serialized())))
    }

    /// A channel filter: any text a channel id can be, never a control character (PostgreSQL
    /// refuses NUL in text; nothing else could match).
    static func isChannelFilter(_ s: String) -> Bool {
        s.unicodeScalars.count <= 256 && !s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    /// Hours as plain decimal digits with an optional fraction (`12`, `0.5`), 0 to 1,000,000: not
    /// `inf`, `1e400` or `0x10`, which Double(_:) would take.
    static func hours(_ text: some StringProtocol) -> Double? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard text.count <= 16, let whole = parts.first, !whole.isEmpty,
            parts.allSatisfy({ $0.utf8.allSatisfy { (48...57).contains($0) } }), parts.count == 1 || !parts[1].isEmpty
        else { return nil }
        return SafeNumbers.finite(Double(String(text)), in: 0...1_000_000)
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json(.object([("error", .string(message))]), status: status)
    }

    func channels() async throws -> Response {
        let loaded = state.loaded.value
        let stats = try await store.statistics()
        let now = Date()
        let items: [JSONValue] = loaded.configuration.channels.map { ch in
            let counts = stats.perChannel[ch.id] ?? [:]
            let live = Self.activityJSON(
                activity.totals(of: ch.id), pending: counts[.pending] ?? 0, oldestPending: stats.oldestPendingPerChannel[ch.id], now: now)
            return .object(
                [
                    ("id", .string(ch.id)),
                    ("name", .string(ch.name)),
                    ("provider", .string(ch.provider)),
                    ("chatbotId", .string(ch.chatbotId)),
                    ("url", .string(loaded.configuration.server.webhookURL(channelID: ch.id))),
                    ("path", .string("/webhooks/\(ch.id)")),
                    ("delivery", .string(ch.delivery.rawValue)),
                    ("verification", .string(ch.verification.rawValue)),
                    ("counts", .object(DeliveryState.all.map { ($0.rawValue, .number(String(counts[$0] ?? 0))) })),
                ] + live)
        }
        return Self.json(.object([("items", .array(items))]))
    }

    func list(_ request: Request) async throws -> Response {
        let q = request.uri.queryParameters
        var state: DeliveryState?
        if let s = q["state"].map(String.init), !s.isEmpty {
            guard let parsed = DeliveryState(parsing: s) else { return Self.error(.badRequest, "state must be pending, dead or delivered") }
            state = parsed
        }
        var limit = 100
        if let l = q["limit"] {
            guard let n = Int(l), n > 0, n <= 10_000 else { return Self.error(.badRequest, "limit must be 1 to 10000") }
            limit = n
        }
        let channel = q["channel"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        if let channel, !Self.isChannelFilter(channel) { return Self.error(.badRequest, "channel must be a channel id") }
        let items = try await store.list(state: state, channel: channel, limit: limit)
        return Self.json(.object([("items", .array(items.map(\.json)))]))
    }

    func show(_ context: GatewayRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id").flatMap(Int64.init) else { return Self.error(.notFound, "no such delivery") }
        guard let d = try await store.get(id: id) else { return Self.error(.notFound, "no such delivery") }
        return Self.json(d.json)
    }

    func replayOne(_ context: GatewayRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id").flatMap(Int64.init), let d = try await store.get(id: id) else {
            return Self.error(.notFound, "no such delivery")
        }
        guard d.state == .dead else { return Self.error(.conflict, "delivery \(id) is \(d.state.rawValue), not dead") }
        let n = try await store.replay(id: id, now: Date())
        dispatcher.wake()
        return Self.json(.object([("count", .number(String(n)))]))
    }

    func replayAll(_ request: Request) async throws -> Response {
        let channel = request.uri.queryParameters["channel"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        if let channel, !Self.isChannelFilter(channel) { return Self.error(.badRequest, "channel must be a channel id") }
        let n = try await store.replayAll(channel: channel, now: Date())
        dispatcher.wake()
        return Self.json(.object([("count", .number(String(n)))]))
    }

    func purge(_ request: Request) async throws -> Response {
        let q = request.uri.queryParameters
        guard q["state"].map(String.init) == "dead" else {
            return Self.error(.badRequest, "only dead letters can be purged: pass state=dead")
        }
        var before: Date?
        if let h = q["olderThanHours"] {
            guard let hours = Self.hours(h) else { return Self.error(.badRequest, "olderThanHours must be a number of hours from 0 to 1000000") }
            before = Date().addingTimeInterval(-hours * 3600)
        }
        let n = try await store.purgeDead(olderThan: before)
        return Self.json(.object([("count", .number(String(n)))]))
    }

    /// Applies the file's live settings; a file with errors is refused (422) and the old
    /// configuration stays. Settings that need a restart are named in `restartRequired`.
    func reload() -> Response {
        let result = reloader.reload()
        guard result.applied else {
            if state.configPath == nil { return Self.error(.conflict, "this gateway was not started from a file") }
            return Self.json(
                .object([("reloaded", .bool(false)), ("errors", .array(result.errors.map { .string($0) }))]),
                status: .unprocessableContent)
        }
        return Self.json(
            .object([
                ("reloaded", .bool(true)), ("channels", .number(String(result.channels))),
                ("restartRequired", .array(result.restartRequired.map { .string($0) })),
            ]))
    }
}
