import Metrics

/// The stages of acknowledging a webhook, timed into one histogram
/// (`gangway_ingest_stage_seconds{stage=...}`), so that an operator sees where an
/// acknowledgement waits: reading the body, verifying, normalizing, waiting for the group
/// commit, the commit itself (its fsync), and the whole from the body read to the answer.
public enum IngestStage: String, Sendable, CaseIterable {
    case receive
    case verify
    case normalize
    case commitWait = "commit_wait"
    case commit
    case total

    /// The histogram's name (its buckets are set where the metrics system is bootstrapped).
    public static let metricLabel = "gangway_ingest_stage_seconds"

    private static let timers: [IngestStage: Timer] = Dictionary(
        uniqueKeysWithValues: allCases.map { ($0, Timer(label: metricLabel, dimensions: [("stage", $0.rawValue)])) })

    /// Records how long this stage took.
    public func record(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        Self.timers[self]?.recordNanoseconds(seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000)
    }

    /// Records the time since `start`.
    public func record(since start: ContinuousClock.Instant) {
        record(ContinuousClock.now - start)
    }

    /// Buckets from 50 µs to 2.5 s, for `PrometheusMetricsFactory.durationHistogramBuckets`.
    public static let buckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(1000), .milliseconds(2500),
    ]
}
