import Foundation
import GangwayFuzz

// The libFuzzer entry points. `scripts/fuzz.sh` builds this executable with `-sanitize=fuzzer`
// (libFuzzer supplies `main`); it exists only when the manifest is read with GANGWAY_LIBFUZZER=1,
// in the build folder .build-fuzz. Environment:
// - GANGWAY_FUZZ_TARGET: the target to run (`provider-slack`, `voice-answer`, ...).
// - GANGWAY_FUZZ_LIST=1: print the targets' names and exit.
// - GANGWAY_FUZZ_SEEDS_TO=DIR: write the target's seeds (its samples, encoded) into DIR and exit.

private let environment = ProcessInfo.processInfo.environment

private let target: FuzzTarget = {
    let name = environment["GANGWAY_FUZZ_TARGET"] ?? ""
    do {
        guard let target = try FuzzTargets.named(name) else {
            fatalError("GANGWAY_FUZZ_TARGET=\(name) is not a target (GANGWAY_FUZZ_LIST=1 lists them)")
        }
        return target
    } catch {
        fatalError("cannot load the fuzz targets: \(error)")
    }
}()

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    if environment["GANGWAY_FUZZ_LIST"] == "1" {
        let names = (try? FuzzTargets.all().map(\.name)) ?? []
        print(names.joined(separator: "\n"))
        exit(0)
    }
    if let folder = environment["GANGWAY_FUZZ_SEEDS_TO"] {
        for (i, seed) in target.seeds.enumerated() {
            _ = FileManager.default.createFile(atPath: "\(folder)/seed-\(i)", contents: Data(seed))
        }
        exit(0)
    }
    _ = target
    return 0
}

/// libFuzzer's driver (in the runtime that `-sanitize=fuzzer` links).
@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's `main` to `<module>_main` (so that tests can import it), which
/// takes the place of libFuzzer's own `main`: this one hands over to libFuzzer's driver.
@_cdecl("GangwayFuzzer_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>(argv)
    return runDriver(&count, &arguments, fuzzOneInput)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let finding = target.run(input) {
        // A broken invariant is a crash for libFuzzer: it saves the input as crash-<sha1>.
        fatalError(finding.description)
    }
    return 0
}
