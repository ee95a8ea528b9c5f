import GangwayCore
import HTTPTypes
import Hummingbird
import Testing

@testable import GangwayServer

/// Every refusal's status, body and metric label come from one table (issue 13).
@Suite struct WebhookRefusalTests {
    @Test func adapterKindsMapToTheirStatuses() {
        let cases: [(AdapterError, HTTPResponse.Status, String)] = [
            (.unauthorized("bad signature"), .unauthorized, "unauthorized"),
            (.forbidden("wrong verify token"), .forbidden, "forbidden"),
            (.badRequest("not JSON"), .badRequest, "bad_request"),
            (AdapterError(.unsupportedMediaType, "not a form"), .unsupportedMediaType, "unsupportedMediaType"),
        ]
        for (error, status, outcome) in cases {
            let refusal = WebhookRefusal.adapter(error)
            #expect(refusal.status == status)
            #expect(refusal.outcome == outcome)
            #expect(refusal.message == error.message)
            #expect(refusal.response.headers[.retryAfter] == nil)
        }
    }

    @Test func temporaryRefusalsAskTheProviderToComeBack() {
        for refusal in [WebhookRefusal.draining, .storeUnavailable] {
            #expect(refusal.status == .serviceUnavailable)
            #expect(refusal.response.headers[.retryAfter] == "5")
        }
        #expect(WebhookRefusal.tooLarge(limit: 10).response.status == .contentTooLarge)
        #expect(WebhookRefusal.methodNotAllowed("PUT", provider: "slack").message == "PUT is not used by slack")
    }
}
