import Synchronization

/// The stages of acknowledging a webhook, timed into one histogram
/// (`gangway_ingest_stage_seconds{stage=...}`), so that an operator sees where an
/// acknowledgement waits: reading the body, verifying, normalizing, waiting for the group
/// commit, the commit itself (its fsync), and the whole from the body read to the answer.
///
/// Six are recorded per webhook, so they are kept here in plain counters (a lock and a few
/// integer comparisons each) and written into `/metrics` by ``render(into:)``, rather than
/// through swift-metrics' timer and a Prometheus histogram of `Duration`s.
public enum IngestStage: Int, Sendable, CaseIterable {
    case receive
    case verify
    case normalize
    case commitWait
    case commit
    case total

    /// The histogram's name.
    public static let metricLabel = "gangway_ingest_stage_seconds"

    /// The `stage` label.
    public var label: String {
        switch self {
        case .receive: "receive"
        case .verify: "verify"
        case .normalize: "normalize"
        case .commitWait: "commit_wait"
        case .commit: "commit"
        case .total: "total"
        }
    }

    private static let histograms = allCases.map { _ in StageHistogram(bounds: boundsNanoseconds) }

    /// Records how long this stage took.
    public func record(_ duration: Duration) {
        Self.histograms[rawValue].record(nanoseconds: Self.nanoseconds(duration))
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000
    }

    /// Records the time since `start`.
    public func record(since start: ContinuousClock.Instant) {
        record(ContinuousClock.now - start)
    }

    /// Bucket bounds from 50 µs to 2.5 s.
    public static let buckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(1000), .milliseconds(2500),
    ]

    static let boundsNanoseconds: [Int64] = buckets.map(nanoseconds)

    /// Appends the histogram in Prometheus' text format (`_bucket` cumulative with `le`, `_sum`
    /// in seconds, `_count`), one series per stage.
    public static func render(into text: inout String) {
        text += "# TYPE \(metricLabel) histogram\n"
        for stage in allCases {
            let snapshot = histograms[stage.rawValue].snapshot()
            var cumulative = 0
            for (bound, count) in zip(boundsNanoseconds, snapshot.counts) {
                cumulative += count
                text += "\(metricLabel)_bucket{stage=\"\(stage.label)\",le=\"\(seconds(bound))\"} \(cumulative)\n"
            }
            text += "\(metricLabel)_bucket{stage=\"\(stage.label)\",le=\"+Inf\"} \(snapshot.count)\n"
            text += "\(metricLabel)_sum{stage=\"\(stage.label)\"} \(Double(snapshot.sumNanoseconds) / 1e9)\n"
            text += "\(metricLabel)_count{stage=\"\(stage.label)\"} \(snapshot.count)\n"
        }
    }

    /// Nanoseconds as decimal seconds without exponent: 50,000 → `0.00005`, 2.5e9 → `2.5`.
    static func seconds(_ nanoseconds: Int64) -> String {
        let whole = nanoseconds / 1_000_000_000
        var fraction = String(nanoseconds % 1_000_000_000)
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.last == "0" { fraction.removeLast() }
        return fraction.isEmpty ? "\(whole)" : "\(whole).\(fraction)"
    }
}

/// A histogram of nanoseconds with fixed bounds: counts per bucket (not cumulative), the sum and
/// the count, under one lock.
final class StageHistogram: Sendable {
    struct Snapshot {
        /// Per bucket: observations at most its bound and above the previous one.
        var counts: [Int]
        var count = 0
        var sumNanoseconds: Int64 = 0
    }

    private let bounds: [Int64]
    private let state: Mutex<Snapshot>

    init(bounds: [Int64]) {
        self.bounds = bounds
        state = Mutex(Snapshot(counts: Array(repeating: 0, count: bounds.count)))
    }

    func record(nanoseconds: Int64) {
        let value = max(0, nanoseconds)
        // The first bound at or above the value; past the last bound only +Inf (the count) has it.
        var bucket = 0
        while bucket < bounds.count, bounds[bucket] < value { bucket += 1 }
        state.withLock { s in
            if bucket < s.counts.count { s.counts[bucket] += 1 }
            s.count += 1
            s.sumNanoseconds &+= value
        }
    }

    func snapshot() -> Snapshot { state.withLock { $0 } }
}
