import AsyncHTTPClient
import Foundation
import GangwayCore
import GangwayServer
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite struct OpenIDKeyFetcherTests {
    /// The RSA key of RFC 7515, appendix A.2, as a JWK.
    static let modulus =
        "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"

    @Test func fetchesMetadataThenJWKSIntoTheDirectory() async throws {
        let router = Router()
        router.get("/openid") { request, _ -> Response in
            let authority = request.head.authority ?? "127.0.0.1"
            return Self.json(#"{"issuer":"https://api.botframework.com","jwks_uri":"http://\#(authority)/keys"}"#)
        }
        router.get("/keys") { _, _ -> Response in
            Self.json(#"{"keys":[{"kty":"RSA","use":"sig","kid":"k1","n":"\#(Self.modulus)","e":"AQAB","endorsements":["msteams"]},{"kty":"EC","kid":"ec"}]}"#)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let directory = KeyDirectory()
            let url = "http://127.0.0.1:\(port)/openid"
            let source = directory.source(for: url)
            let fetcher = OpenIDKeyFetcher(client: http, directory: directory, logger: Logger(label: "test"))
            await fetcher.refreshDue()
            #expect(source.key(id: "k1")?.endorsements == ["msteams"])
            #expect(source.key(id: "ec") == nil)
            // The unknown kid asked for an early refresh, due after the one-minute floor.
            #expect(directory.urlsDue(now: Date().addingTimeInterval(61)).contains(url))
            // A metadata URL that answers 404 is logged and tried again later, keeping nothing.
            let missing = "http://127.0.0.1:\(port)/nothing"
            _ = directory.source(for: missing)
            await fetcher.refreshDue()
            #expect(directory.urlsDue().contains(missing))
            try await http.shutdown()
        }
    }

    static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
