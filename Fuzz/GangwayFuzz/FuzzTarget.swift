import Foundation
import GangwayCore

/// Something to fuzz: a function of bytes that must never trap, and that reports a broken
/// invariant (an envelope that is not JSON, a signed request that does not verify) as a
/// ``FuzzFinding``. Driven by `Tests/AdaptersTests/FuzzTests.swift` (seeded mutations, in CI)
/// and by `scripts/fuzz.sh` (libFuzzer, coverage-guided).
public struct FuzzTarget: Sendable {
    /// `provider-<name>` or `voice-answer`: what `scripts/fuzz.sh --target` takes.
    public let name: String
    /// Valid inputs to start from (the provider's samples, encoded as ``ProviderFuzzTarget`` reads them).
    public let seeds: [[UInt8]]
    private let body: @Sendable ([UInt8]) -> FuzzFinding?

    public init(name: String, seeds: [[UInt8]], run: @escaping @Sendable ([UInt8]) -> FuzzFinding?) {
        self.name = name
        self.seeds = seeds
        self.body = run
    }

    /// Runs one input. A trap is a crash of the caller; a broken invariant is returned.
    public func run(_ input: [UInt8]) -> FuzzFinding? { body(input) }
}

/// A broken invariant, with what was seen.
public struct FuzzFinding: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Every target: one per provider of `config/demo-all.yaml`, plus the voice answers.
public enum FuzzTargets {
    /// - Throws: ``DemoBench/LoadError`` when the demo config or a provider's samples cannot be read.
    public static func all() throws(DemoBench.LoadError) -> [FuzzTarget] {
        let benches = try DemoBench.load()
        return benches.map(ProviderFuzzTarget.make) + [VoiceAnswerFuzzTarget.make(benches: benches)]
    }

    /// The target called `name`, or nil.
    public static func named(_ name: String) throws(DemoBench.LoadError) -> FuzzTarget? {
        try all().first { $0.name == name }
    }
}

extension UpstreamEnvelope {
    /// Checks the envelope's own JSON: it parses, it is byte for byte what JSONEncoder writes, and
    /// it decodes to the same envelope (the last two only when every number is finite: JSONEncoder
    /// refuses NaN and infinity, and the gateway then sends its `{}`).
    func fuzzCheck(_ context: @autoclosure () -> String) -> FuzzFinding? {
        let bytes = jsonBytes()
        guard (try? JSONValue.parse(bytes)) != nil else {
            return FuzzFinding("\(context()): the envelope is not JSON: \(String(decoding: bytes.prefix(300), as: UTF8.self))")
        }
        let finite = message.map { m in (m.confidence?.isFinite ?? true) && (m.location.map { $0.latitude.isFinite && $0.longitude.isFinite } ?? true) } ?? true
        guard finite else { return nil }
        let reference = Array(encodedByFoundation())
        guard bytes == reference else {
            return FuzzFinding(
                "\(context()): the envelope differs from JSONEncoder's:\n  ours: \(String(decoding: bytes.prefix(400), as: UTF8.self))\n  JSONEncoder: \(String(decoding: reference.prefix(400), as: UTF8.self))"
            )
        }
        guard (try? UpstreamEnvelope.decode(Data(bytes))) == self else {
            return FuzzFinding("\(context()): the envelope does not decode to itself: \(String(decoding: bytes.prefix(300), as: UTF8.self))")
        }
        return nil
    }
}
