// swift-tools-version: 6.1
// Gangway's micro-benchmarks (ordo-one/benchmark), a package of its own so that the benchmark
// framework and its malloc interposer stay out of the product. Run from the repository root:
//
//     scripts/bench.sh --micro          (or: cd Benchmarks && swift package -c release benchmark)
//
// The benchmark targets live in Benchmarks/<Target>/ as the plugin expects.
import PackageDescription

let package = Package(
    name: "gangway-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "gangway", path: ".."),
        // Only the malloc interposer: the Linux runtime interposer of the default traits is not
        // available here (see the tool notes), and malloc counts are what these benchmarks report.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
    ],
    targets: [
        .executableTarget(
            name: "GangwayMicro",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "GangwayCore", package: "gangway"),
                .product(name: "Adapters", package: "gangway"),
                .product(name: "GangwayDelivery", package: "gangway"),
            ],
            path: "Benchmarks/GangwayMicro",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The forwarding client: AsyncHTTPClient against Foundation's URLSession (libcurl on Linux),
        // same workload, same stand-in.
        .executableTarget(
            name: "Forwarding",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/Forwarding",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
