import Foundation
import GangwayFuzz

/// SplitMix64: a small deterministic generator, so that a fuzz run is the same run every time.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// A seed from a name (FNV-1a), so that each target has its own stream.
    init(name: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        self.init(seed: hash)
    }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// Mutations of a fuzz input (``ProviderFuzzTarget``'s layout: three shape bytes, then the body):
/// bit flips, byte inserts and deletes, repeats, splices between seeds, hostile numbers and strings
/// put in place of a JSON or form value or anywhere, and new shape bytes (content type, GET,
/// hostile time headers, duplicated or foreign headers, an unsigned body).
struct Mutator {
    static let maxSize = 64 * 1024
    static let tokens: [[UInt8]] =
        (HostileValues.numbers + HostileValues.strings + HostileValues.strings.map { "\"\($0)\"" }).map { Array($0.utf8) }

    var rng: SeededGenerator
    let seeds: [[UInt8]]

    init(name: String, seeds: [[UInt8]]) {
        rng = SeededGenerator(name: name)
        self.seeds = seeds.isEmpty ? [[0, 0, 0]] : seeds
    }

    /// A new input: a seed with one to five mutations.
    mutating func next() -> [UInt8] {
        var input = seeds[Int.random(in: 0..<seeds.count, using: &rng)]
        for _ in 0..<Int.random(in: 1...5, using: &rng) { mutate(&input) }
        if input.count > Self.maxSize { input.removeLast(input.count - Self.maxSize) }
        return input
    }

    private mutating func position(in input: [UInt8], from start: Int = 0) -> Int {
        input.count <= start ? input.count : Int.random(in: start...input.count, using: &rng)
    }

    private mutating func mutate(_ input: inout [UInt8]) {
        let body = min(3, input.count)
        switch Int.random(in: 0..<10, using: &rng) {
        case 0:  // flip a bit
            guard !input.isEmpty else { return }
            let i = Int.random(in: 0..<input.count, using: &rng)
            input[i] ^= 1 << UInt8.random(in: 0...7, using: &rng)
        case 1:  // insert random bytes
            let bytes = (0..<Int.random(in: 1...8, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            input.insert(contentsOf: bytes, at: position(in: input, from: body))
        case 2:  // delete a range
            guard input.count > body else { return }
            let start = Int.random(in: body..<input.count, using: &rng)
            input.removeSubrange(start..<min(input.count, start + Int.random(in: 1...32, using: &rng)))
        case 3:  // repeat a range
            guard input.count > body else { return }
            let start = Int.random(in: body..<input.count, using: &rng)
            let range = start..<min(input.count, start + Int.random(in: 1...64, using: &rng))
            let copy = Array(input[range])
            for _ in 0..<Int.random(in: 1...16, using: &rng) { input.insert(contentsOf: copy, at: range.upperBound) }
        case 4:  // splice: this input's beginning, another seed's end
            let other = seeds[Int.random(in: 0..<seeds.count, using: &rng)]
            let cut = position(in: input, from: body)
            let from = position(in: other, from: min(3, other.count))
            input = Array(input[..<cut]) + Array(other[from...])
        case 5, 6:  // a hostile token in place of a JSON or form value
            let token = Self.tokens[Int.random(in: 0..<Self.tokens.count, using: &rng)]
            let starts = input.indices.dropFirst(body).filter { input[$0] == UInt8(ascii: ":") || input[$0] == UInt8(ascii: "=") }
            guard let colon = starts.randomElement(using: &rng) else { return }
            var end = colon + 1
            let stops: Set<UInt8> = [UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: "&"), UInt8(ascii: "<")]
            while end < input.count, !stops.contains(input[end]) { end += 1 }
            input.replaceSubrange((colon + 1)..<end, with: token)
        case 7:  // a hostile token anywhere
            let token = Self.tokens[Int.random(in: 0..<Self.tokens.count, using: &rng)]
            input.insert(contentsOf: token, at: position(in: input, from: body))
        default:  // new shape bytes: sample, content type / GET / game / clock, parameter
            while input.count < 3 { input.append(0) }
            input[Int.random(in: 0...2, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
        }
    }
}
