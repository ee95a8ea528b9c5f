import Foundation
import GangwayCore
import GangwayServer
import NIOHTTP1
import Testing

/// The adapters' only clock is the environment's (`AdapterEnvironment.clock`), which stamps each
/// request's `receivedAt`: a gateway whose clock is an hour behind refuses a Slack request signed
/// now as outside its tolerance, and one whose clock agrees accepts the same request.
@Suite struct ClockInjectionTests {
    static func yaml(_ upstream: String) -> String {
        testYAML(upstream: upstream) + "\n  - { id: sl, name: SL, provider: slack, chatbotId: bot_1, secrets: { signingSecret: sl-secret } }\n"
    }

    @Test func timestampsAreCheckedAgainstTheInjectedClock() async throws {
        for (offset, expected) in [(-3600.0, 401), (0.0, 200)] {
            let environment = AdapterEnvironment(clock: { Date().addingTimeInterval(offset) })
            try await withGateway(yaml: Self.yaml, environment: environment) { h in
                let body = try sampleBytes("slack", "text.json")
                let headers = try h.signedSample(channel: "sl", body: body, contentType: "application/json")
                #expect(try await h.send(.POST, "/webhooks/sl", body: body, headers: headers).status == expected, "clock offset \(offset) s")
            }
        }
    }
}
