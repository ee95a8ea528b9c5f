import Adapters
import Foundation
import GangwayCore
import GangwayFuzz
import Testing

/// Seeded mutational fuzzing of every adapter and of the voice answers (Fuzz/GangwayFuzz): the
/// same inputs every run, so CI is repeatable. `GANGWAY_FUZZ_ITERATIONS` sets the inputs per target
/// (default ``defaultIterations``, all targets together well under a minute in a debug build on two
/// cores); `scripts/fuzz.sh` runs the same targets coverage-guided under libFuzzer.
@Suite(.serialized) struct FuzzTests {
    static let defaultIterations = 4000
    static let iterations = ProcessInfo.processInfo.environment["GANGWAY_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? defaultIterations
    static let targets: Result<[FuzzTarget], DemoBench.LoadError> = Result { () throws(DemoBench.LoadError) in try FuzzTargets.all() }
    static let names = AdapterRegistry.standard.names.map { "provider-\($0)" } + ["voice-answer"]

    @Test func everyProviderHasATarget() throws {
        #expect(try Self.targets.get().map(\.name).sorted() == Self.names.sorted())
    }

    /// The loop runs on a thread of its own: seconds of CPU on the test process's cooperative pool
    /// (two threads on two cores) starved the timing-sensitive tests running beside it.
    @Test(arguments: names) func mutatedInputsNeverTrapNorBreakAnInvariant(_ name: String) async throws {
        let target = try #require(try Self.targets.get().first { $0.name == name })
        #expect(!target.seeds.isEmpty)
        let iterations = Self.iterations
        let (findings, report) = await withCheckedContinuation { (continuation: CheckedContinuation<(Int, [String]), Never>) in
            Thread.detachNewThread {
                var findings = 0
                var report: [String] = []
                func run(_ input: [UInt8]) {
                    guard let finding = target.run(input) else { return }
                    findings += 1
                    if findings <= 3 { report.append("\(finding)\n  input (base64): \(Data(input).base64EncodedString())") }
                }
                let start = ContinuousClock.now
                for seed in target.seeds { run(seed) }
                var mutator = Mutator(name: name, seeds: target.seeds)
                for _ in 0..<iterations { run(mutator.next()) }
                let inputs = target.seeds.count + iterations
                print("fuzz \(name): \(inputs) inputs in \(ContinuousClock.now - start), \(findings) finding(s)")
                continuation.resume(returning: (findings, report))
            }
        }
        for line in report { Issue.record(Comment(rawValue: line)) }
        #expect(findings == 0)
    }
}
