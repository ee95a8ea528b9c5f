import Adapters
import AsyncHTTPClient
import Foundation
import GangwayCore
import GangwayDelivery
import GangwayServer
import Hummingbird
import InMemoryLogging
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization

/// A running gateway and stand-in API on loopback for one test.
struct Harness: Sendable {
    let base: String
    let gateway: Gateway
    let mock: MockUpstream
    let client: HTTPClient
    let logs: InMemoryLogHandler
    let configuration: GangwayConfiguration
    /// The YAML file the gateway was built from (for reload).
    let configPath: String

    struct Reply: Sendable {
        var status: Int
        var headers: [(String, String)]
        var body: String
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    func send(
        _ method: HTTPMethod = .POST, _ path: String, body: [UInt8] = [], headers: [(String, String)] = []
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        for (k, v) in headers { request.headers.add(name: k, value: v) }
        if method != .GET { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: String(buffer: bytes))
    }

    /// A sample of a channel's provider, signed for the URL the gateway reconstructs.
    func signedSample(channel id: String, body: [UInt8], contentType: String, url: String? = nil) throws -> [(String, String)] {
        let ch = configuration.channel(id: id)!
        var request = SampleRequest(url: url ?? configuration.server.webhookURL(channelID: id), contentType: contentType, body: body)
        AdapterRegistry.standard[ch.provider]!.signSample(&request, ch)
        return request.headers + [("content-type", contentType)]
    }

    func admin(_ method: HTTPMethod, _ path: String, token: String? = "test-admin-token") async throws -> Reply {
        try await send(method, "/admin" + path, headers: token.map { [("authorization", "Bearer \($0)")] } ?? [])
    }
}

func sampleBytes(_ provider: String, _ name: String) throws -> [UInt8] {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    var bytes = Array(try Data(contentsOf: root.appendingPathComponent("adapters/\(provider)/samples/\(name)")))
    if name.hasSuffix(".form") { while bytes.last == 0x0A { bytes.removeLast() } }
    return bytes
}

func testYAML(upstream: String, extraServer: String = "", admin: Bool = true, whatsappVerification: String = "enforce") -> String {
    """
    server:
      host: 127.0.0.1
      port: 0
      publicURL: https://hooks.example.com
      trustedProxies: [10.9.9.9/32]
      maxBodyBytes: 4096
    \(extraServer)
    \(admin ? "admin: { token: test-admin-token }" : "")
    upstream:
      baseURL: \(upstream)
      apiKey: default-key
      retry: { maxAttempts: 3, initialBackoffSeconds: 0.05, maxBackoffSeconds: 0.1 }
    store: { path: STORE_PATH }
    channels:
      - { id: wa, name: WA, provider: whatsapp, chatbotId: bot_1, apiKey: wa-key, verification: \(whatsappVerification), secrets: { appSecret: wa-secret, verifyToken: wa-verify } }
      - { id: tg, name: TG, provider: telegram, chatbotId: bot_1, secrets: { secretToken: tg-secret } }
      - { id: sms, name: SMS, provider: twilio, chatbotId: bot_2, secrets: { authToken: tw-token } }
    """
}

/// Starts the stand-in API and a gateway (store in a temp file unless given), runs `body`, shuts both down.
func withGateway(
    yaml: ((String) -> String)? = nil, store: (any DeliveryStore)? = nil, trustedLoopback: Bool = false,
    environment: AdapterEnvironment? = nil, _ body: @Sendable (Harness) async throws -> Void
) async throws {
    let logs = InMemoryLogHandler()
    var logger = Logger(label: "test", factory: { _ in logs })
    logger.logLevel = .debug
    var quiet = Logger(label: "quiet")
    quiet.logLevel = .critical

    let mock = MockUpstream(
        options: {
            var o = MockUpstream.Options()
            o.printCalls = false
            return o
        }())
    let mockRouter = Router()
    mock.addRoutes(to: mockRouter)
    let mockPort = Mutex<Int?>(nil)
    let mockApp = Application(
        router: mockRouter, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { ch in mockPort.withLock { $0 = ch.localAddress?.port } }, logger: quiet)
    let mockGroup = ServiceGroup(configuration: .init(services: [mockApp], logger: quiet))

    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await mockGroup.run() }
        let upstreamPort = try await waitFor { mockPort.withLock { $0 } }
        let storePath = NSTemporaryDirectory() + "gangway-server-test-\(UUID().uuidString).sqlite"
        let text = (yaml ?? { testYAML(upstream: $0) })("http://127.0.0.1:\(upstreamPort)").replacingOccurrences(of: "STORE_PATH", with: storePath)
        let configPath = NSTemporaryDirectory() + "gangway-server-test-\(UUID().uuidString).yaml"
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        var config = try ConfigLoader(providers: AdapterRegistry.standard, environment: [:]).parse(yaml: text)
        if trustedLoopback { config.server.trustedProxies.append(CIDR("127.0.0.1/32")!) }
        var options = GatewayOptions(providers: AdapterRegistry.standard)
        options.store = store
        options.adapterEnvironment = environment
        options.configPath = configPath
        options.environment = [:]
        let port = Mutex<Int?>(nil)
        options.onListening = { p in port.withLock { $0 = p } }
        options.renderMetrics = { "# metrics\n" }
        let gateway = try await buildGateway(configuration: config, options: options, logger: logger)
        let group = gateway.serviceGroup(signals: [])
        tasks.addTask { try await group.run() }
        let gwPort = try await waitFor { port.withLock { $0 } }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let harness = Harness(
            base: "http://127.0.0.1:\(gwPort)", gateway: gateway, mock: mock, client: client, logs: logs, configuration: config, configPath: configPath)
        do {
            try await body(harness)
        } catch {
            try? await client.shutdown()
            await group.triggerGracefulShutdown()
            await mockGroup.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
        try await client.shutdown()
        await group.triggerGracefulShutdown()
        await mockGroup.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

func waitFor<T: Sendable>(_ value: @Sendable () -> T?) async throws -> T {
    for _ in 0..<1000 {
        if let v = value() { return v }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw CancellationError()
}

func eventually(_ seconds: Double = 10, _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
