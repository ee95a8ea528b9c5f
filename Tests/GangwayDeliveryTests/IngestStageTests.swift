import Testing

@testable import GangwayDelivery

/// The acknowledgement's stage histogram as `/metrics` shows it.
@Suite struct IngestStageTests {
    @Test func eachObservationCountsInTheFirstBucketAtOrAboveIt() {
        let histogram = StageHistogram(bounds: [1_000, 5_000, 10_000])
        for ns: Int64 in [0, 1_000, 1_001, 5_000, 9_999, 10_001, 7_000_000_000, -5] { histogram.record(nanoseconds: ns) }
        let s = histogram.snapshot()
        // ≤1 µs: 0, 1,000 and the negative one (clamped to 0); ≤5 µs: 1,001 and 5,000; ≤10 µs: 9,999;
        // the other two only in +Inf (the count).
        #expect(s.counts == [3, 2, 1])
        #expect(s.count == 8)
        #expect(s.sumNanoseconds == 1_000 + 1_001 + 5_000 + 9_999 + 10_001 + 7_000_000_000)
    }

    @Test func boundsAreWrittenAsPlainDecimalSeconds() {
        #expect(IngestStage.seconds(50_000) == "0.00005")
        #expect(IngestStage.seconds(1_000_000) == "0.001")
        #expect(IngestStage.seconds(2_500_000_000) == "2.5")
        #expect(IngestStage.seconds(1_000_000_000) == "1")
    }

    @Test func everyStageIsRenderedWithItsBucketsSumAndCount() {
        IngestStage.commitWait.record(.microseconds(70))
        var text = ""
        IngestStage.render(into: &text)
        #expect(text.hasPrefix("# TYPE gangway_ingest_stage_seconds histogram\n"))
        for stage in IngestStage.allCases {
            #expect(text.contains("gangway_ingest_stage_seconds_bucket{stage=\"\(stage.label)\",le=\"0.00005\"} "))
            #expect(text.contains("gangway_ingest_stage_seconds_bucket{stage=\"\(stage.label)\",le=\"+Inf\"} "))
            #expect(text.contains("gangway_ingest_stage_seconds_count{stage=\"\(stage.label)\"} "))
        }
        // 70 µs is above the first bound and within the second.
        let lines = text.split(separator: "\n").filter { $0.contains("stage=\"commit_wait\"") }
        let first = lines.first { $0.contains("le=\"0.00005\"") }.flatMap { $0.split(separator: " ").last }.flatMap { Int($0) }
        let second = lines.first { $0.contains("le=\"0.0001\"") }.flatMap { $0.split(separator: " ").last }.flatMap { Int($0) }
        if let first, let second { #expect(second > first) } else { Issue.record("no commit_wait buckets in \(lines)") }
    }
}
