import Foundation
import GangwayCore
import Testing
import _CryptoExtras

@Suite struct JWTTests {
    /// RFC 7515, appendix A.2: an RS256 JWS and the RSA key (JWK `n`, `e`) that signed it.
    static let rfcModulus =
        "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"
    static let rfcToken =
        "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw"

    @Test func rfc7515RS256ExampleVerifiesWithItsJWK() throws {
        let keys = KeySet(
            jwks: .object([
                (
                    "keys",
                    .array([
                        .object([
                            ("kty", .string("RSA")), ("kid", .string("rfc")), ("n", .string(Self.rfcModulus)), ("e", .string("AQAB")),
                        ])
                    ])
                )
            ]))
        let key = try #require(keys.key(id: "rfc"))
        let jwt = try JWT(Self.rfcToken)
        #expect(jwt.algorithm == "RS256")
        #expect(jwt.claims["iss"]?.string == "joe")
        #expect(jwt.claims["exp"]?.idString == "1300819380")
        try jwt.verifyRS256(key: key)
        try jwt.checkTimes(now: Date(timeIntervalSince1970: 1_300_819_000), leeway: 0)
        #expect(throws: JWT.Failure.self) { try jwt.checkTimes(now: Date(timeIntervalSince1970: 1_300_819_381), leeway: 0) }
        try jwt.checkTimes(now: Date(timeIntervalSince1970: 1_300_819_381), leeway: 5)
        // Pinned algorithm: the same token is not an HS256 token.
        #expect(throws: JWT.Failure.self) { try jwt.verifyHS256(secret: Array("x".utf8)) }
        // One flipped bit in the claims breaks the signature.
        var parts = Self.rfcToken.split(separator: ".").map(String.init)
        let claimText = String(decoding: try #require(Signatures.fromBase64(parts[1])), as: UTF8.self)
        #expect(claimText.contains("\"joe\""))
        parts[1] = JWT.base64URL(Array(claimText.replacingOccurrences(of: "\"joe\"", with: "\"Joe\"").utf8))
        #expect(throws: JWT.Failure.self) { try JWT(parts.joined(separator: ".")).verifyRS256(key: key) }
    }

    @Test func jwtIoHS256ExampleVerifies() throws {
        // The example token of jwt.io (HS256, secret "your-256-bit-secret"); PyJWT agrees.
        let token =
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
        let jwt = try JWT(token)
        try jwt.verifyHS256(secret: Array("your-256-bit-secret".utf8))
        #expect(throws: JWT.Failure.self) { try jwt.verifyHS256(secret: Array("your-256-bit-secreT".utf8)) }
        #expect(jwt.claims["name"]?.string == "John Doe")
        // iat-based age, for tokens without exp (Vonage).
        try jwt.checkTimes(now: Date(timeIntervalSince1970: 1_516_239_100), leeway: 0, requireExpiry: false, maxAge: 300)
        #expect(throws: JWT.Failure.self) {
            try jwt.checkTimes(now: Date(timeIntervalSince1970: 1_516_239_400), leeway: 0, requireExpiry: false, maxAge: 300)
        }
        #expect(throws: JWT.Failure.self) { try jwt.checkTimes(now: Date(timeIntervalSince1970: 1_516_239_100), leeway: 0) }
    }

    @Test func signedTokensRoundTripAndMalformedTokensAreRefused() throws {
        let claims = JSONValue.object([("aud", .array([.string("a"), .string("b")])), ("nbf", .number("1000")), ("exp", .number("2000"))])
        let token = JWT.signHS256(claims: claims, secret: Array("k".utf8))
        let jwt = try JWT(token)
        try jwt.verifyHS256(secret: Array("k".utf8))
        #expect(jwt.hasAudience("b") && !jwt.hasAudience("c"))
        #expect(throws: JWT.Failure.self) { try jwt.checkTimes(now: Date(timeIntervalSince1970: 990), leeway: 5) }
        try jwt.checkTimes(now: Date(timeIntervalSince1970: 996), leeway: 5)

        let rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let signed = try #require(JWT.signRS256(claims: claims, key: rsa, keyID: "k1"))
        let decoded = try JWT(signed)
        #expect(decoded.keyID == "k1")
        let primitives = try rsa.publicKey.getKeyPrimitives()
        let key = try #require(KeySet.Key(id: "k1", n: JWT.base64URL(primitives.modulus), e: JWT.base64URL(primitives.publicExponent)))
        try decoded.verifyRS256(key: key)

        for bad in ["", "a.b", "a.b.c.d", "e30.e30.+/+", "bm90IGpzb24.e30.", "e30.W10."] {
            #expect(throws: JWT.Failure.self) { try JWT(bad) }
        }
        var headers = HeaderFields()
        headers.add("Authorization", "bearer  abc ")
        #expect(JWT.bearerToken(headers) == "abc")
    }

    @Test func keySetSkipsUnusableKeysAndDirectoryAsksForRefreshOnUnknownKid() throws {
        let rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let p = try rsa.publicKey.getKeyPrimitives()
        let jwk: (String, String) -> JSONValue = { kid, kty in
            .object([
                ("kty", .string(kty)), ("kid", .string(kid)), ("n", .string(JWT.base64URL(p.modulus))),
                ("e", .string(JWT.base64URL(p.publicExponent))), ("endorsements", .array([.string("msteams")])),
            ])
        }
        let set = KeySet(
            jwks: .object([
                (
                    "keys",
                    .array([
                        jwk("good", "RSA"), jwk("ec", "EC"),
                        .object([("kty", .string("RSA")), ("kid", .string("short")), ("n", .string("AQAB")), ("e", .string("AQAB"))]),
                    ])
                )
            ]))
        #expect(set.keys.keys.sorted() == ["good"])
        #expect(set.key(id: "good")?.endorsements == ["msteams"])

        let directory = KeyDirectory()
        let url = "https://login.example/openid"
        let source = directory.source(for: url)
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        #expect(directory.urlsDue(now: t0) == [url])
        directory.update(url, keys: set, at: t0)
        #expect(directory.urlsDue(now: t0.addingTimeInterval(120)).isEmpty)
        #expect(source.key(id: "good") != nil)
        #expect(source.key(id: "rotated") == nil)
        // An unknown kid asks for an early refresh, but not more often than once a minute.
        #expect(directory.urlsDue(now: t0.addingTimeInterval(30)).isEmpty)
        #expect(directory.urlsDue(now: t0.addingTimeInterval(120)) == [url])
        #expect(directory.urlsDue(now: t0.addingTimeInterval(86_400), minInterval: 1e9) == [url])
    }
}
