// swift-tools-version: 6.2
import Foundation
import PackageDescription

// One settings array for every target, tests included (see ../shared/STYLE.md, rule 1).
// `InternalImportsByDefault` is left out on purpose: the adapters re-export GangwayCore's
// Foundation-typed API, and the explicit `public import` churn bought nothing yet.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]

// Every provider is a folder under adapters/ with its Swift files, a README.md and samples/. One
// rule excludes what is not source, so that this file names no provider: a new folder needs
// no line here.
let adapterFolderExcludes: [String] = {
    let fm = FileManager.default
    let root = Context.packageDirectory + "/adapters"
    var excludes = ["README.md"]
    for name in ((try? fm.contentsOfDirectory(atPath: root)) ?? []).sorted() {
        for part in ["README.md", "samples"] where fm.fileExists(atPath: "\(root)/\(name)/\(part)") {
            excludes.append("\(name)/\(part)")
        }
    }
    return excludes
}()

// The release binary on Linux is linked by the toolchain's lld with packed relative relocations
// (DT_RELR: 157,000 relocations in 31 KB instead of 3.8 MB of .rela.dyn, read at every start) and
// without exporting its symbols (the static Swift runtime and every package exported 1.5 MB of
// .dynsym and 3.9 MB of .dynstr that nothing looks up). Measured on an idle `serve`: RSS 41.8 ->
// 35.0 MB, the same code; the executable stays position independent (ASLR). See
// Benchmarks/README.md, "Idle memory". Packed relocations need glibc 2.36 or later where the binary
// runs (deploy/README.md).
let releaseLinkerSettings: [LinkerSetting] = [
    .unsafeFlags(
        ["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic"],
        .when(platforms: [.linux], configuration: .release)
    )
]

let package = Package(
    name: "gangway",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gangway", targets: ["gangway"]),
        .library(name: "GangwayCore", targets: ["GangwayCore"]),
        .library(name: "Adapters", targets: ["Adapters"]),
        .library(name: "GangwayDelivery", targets: ["GangwayDelivery"]),
        .library(name: "GangwayServer", targets: ["GangwayServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        // `gangway doctor` reads a proxy's certificate itself (AsyncHTTPClient already builds it).
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        // OTLP/HTTP only: the gRPC exporter's stack is not built.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        .target(
            name: "GangwayCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                // AES-CBC for WeChat's safe mode, RSA public keys for RS256 JWTs (Bot Framework).
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Every provider is a folder under adapters/ (adapter, README, samples/). One target keeps
        // the build fast; it can only see GangwayCore.
        .target(
            name: "Adapters",
            dependencies: ["GangwayCore"],
            path: "adapters",
            exclude: adapterFolderExcludes,
            swiftSettings: swiftSettings
        ),
        .target(
            name: "GangwayDelivery",
            dependencies: [
                "GangwayCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "GangwayServer",
            dependencies: [
                "GangwayCore", "Adapters", "GangwayDelivery",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),
        // The fuzz targets over every adapter and the voice answers: run with seeded mutations by
        // Tests/AdaptersTests/FuzzTests.swift, and under libFuzzer by scripts/fuzz.sh. Not in a product.
        .target(
            name: "GangwayFuzz",
            dependencies: ["Adapters", "GangwayCore", .product(name: "_CryptoExtras", package: "swift-crypto")],
            path: "Fuzz/GangwayFuzz",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "gangway",
            dependencies: [
                "GangwayCore", "Adapters", "GangwayDelivery", "GangwayServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings,
            linkerSettings: releaseLinkerSettings
        ),
        .testTarget(
            name: "GangwayCoreTests",
            dependencies: ["GangwayCore", .product(name: "_CryptoExtras", package: "swift-crypto")],
            swiftSettings: swiftSettings),
        // Tests sign RS256 tokens with their own RSA keys (Bot Framework).
        .testTarget(
            name: "AdaptersTests",
            dependencies: ["Adapters", "GangwayCore", "GangwayFuzz", .product(name: "_CryptoExtras", package: "swift-crypto")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "GangwayDeliveryTests",
            dependencies: [
                "GangwayDelivery", "GangwayCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GangwayServerTests",
            dependencies: [
                "GangwayServer", "GangwayDelivery", "GangwayCore", "Adapters",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

// The libFuzzer binary (scripts/fuzz.sh): only when the manifest is read with GANGWAY_LIBFUZZER=1,
// which the script sets for its own build folder (.build-fuzz) and its `-sanitize=fuzzer` flags.
if Context.environment["GANGWAY_LIBFUZZER"] == "1" {
    package.targets.append(
        .executableTarget(name: "GangwayFuzzer", dependencies: ["GangwayFuzz"], path: "Fuzz/GangwayFuzzer", swiftSettings: swiftSettings))
}
