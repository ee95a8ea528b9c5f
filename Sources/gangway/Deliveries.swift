import ArgumentParser
import Foundation
import GangwayCore
import GangwayDelivery
import Logging
import PostgresNIO

struct Deliveries: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, show, replay and purge stored calls (the same store the gateway uses; safe while it runs).",
        subcommands: [List.self, Show.self, Replay.self, Purge.self])

    /// Opens the configured store for the duration of `body` (a PostgreSQL client runs meanwhile).
    static func withStore(_ options: ConfigOptions, _ body: (any DeliveryStore) async throws -> Void) async throws {
        let config = try options.load()
        var logger = Logger(label: "gangway")
        logger.logLevel = .warning
        if config.store.driver == .postgres {
            let client = PostgresClient(
                configuration: try PostgresDeliveryStore.configuration(store: config.store), backgroundLogger: logger)
            let store = PostgresDeliveryStore(client: client, logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                try await body(store)
            }
            return
        }
        guard FileManager.default.fileExists(atPath: config.store.path) else {
            var err = StandardError()
            print("no store at \(config.store.path) yet (it is created when the gateway first starts)", to: &err)
            throw ExitCode.failure
        }
        try await body(try SQLiteDeliveryStore(path: config.store.path))
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One line per call, newest first, its id first.")
        @OptionGroup var options: ConfigOptions
        @Option(help: "pending, dead or delivered.") var state: String?
        @Option(help: "Only this channel.") var channel: String?
        @Option(help: "At most this many.") var limit: Int = 50

        func validate() throws {
            if let state, DeliveryState(parsing: state) == nil { throw ValidationError("--state must be pending, dead or delivered") }
            guard limit > 0 else { throw ValidationError("--limit must be positive") }
        }

        func run() async throws {
            try await Deliveries.withStore(options) { store in
                let items = try await store.list(state: state.flatMap(DeliveryState.init(parsing:)), channel: channel, limit: limit)
                for d in items { say(d.summaryLine) }
                if items.isEmpty { say("(none)") }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One call as JSON (the same as GET /admin/deliveries/{id}).")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "The call's id.") var id: Int64

        func run() async throws {
            try await Deliveries.withStore(options) { store in
                guard let d = try await store.get(id: id) else {
                    var err = StandardError()
                    print("no delivery \(id)", to: &err)
                    throw ExitCode.failure
                }
                say(d.json.serialized())
            }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Dead letters back into the queue (attempts and age start afresh; the idempotency-key stays).")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "The id of one dead letter.") var id: Int64?
        @Option(help: "Every dead letter of this channel.") var channel: String?
        @Flag(help: "Every dead letter of every channel.") var all = false

        func validate() throws {
            let chosen = [id != nil, channel != nil, all].filter { $0 }.count
            guard chosen == 1 else { throw ValidationError("give one of: an id, --channel ID, or --all") }
        }

        func run() async throws {
            try await Deliveries.withStore(options) { store in
                let n: Int
                if let id {
                    n = try await store.replay(id: id, now: Date())
                    if n == 0 {
                        var err = StandardError()
                        print("no dead letter \(id)", to: &err)
                        throw ExitCode.failure
                    }
                } else {
                    n = try await store.replayAll(channel: channel, now: Date())
                }
                say("replayed \(n)")
            }
        }
    }

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove dead letters (all, or older than N hours); never a pending or delivered call.")
        @OptionGroup var options: ConfigOptions
        @Option(help: "Only dead letters older than this many hours.") var olderThanHours: Double?

        func validate() throws {
            if let h = olderThanHours, h < 0 { throw ValidationError("--older-than-hours must not be negative") }
        }

        func run() async throws {
            try await Deliveries.withStore(options) { store in
                let n = try await store.purgeDead(olderThan: olderThanHours.map { Date().addingTimeInterval(-$0 * 3600) })
                say("purged \(n)")
            }
        }
    }
}
