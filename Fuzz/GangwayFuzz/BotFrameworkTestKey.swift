import Foundation
import GangwayCore
import _CryptoExtras

/// An RSA key that stands in for Microsoft's: installed in ``environment`` under a metadata
/// URL of its own, so that a Bot Framework channel with that `openIdMetadataURL` trusts tokens
/// signed with it. ``stranger`` is a second key the directory does not know under that id.
public enum BotFrameworkTestKey {
    public static let metadataURL = "https://login.test.invalid/gangway-fuzz/openidconfiguration"
    /// The environment the fuzz targets' and the forgery matrix's adapters are made in: its key
    /// directory holds ``signer``'s public key.
    public static let environment = AdapterEnvironment()
    public static let keyID = "gangway-fuzz-key"

    // Generated once per process; a 2048-bit key is what Microsoft uses and what KeySet accepts.
    public static let signer: _RSA.Signing.PrivateKey = makeKey()
    public static let stranger: _RSA.Signing.PrivateKey = makeKey()

    private static func makeKey() -> _RSA.Signing.PrivateKey {
        guard let key = try? _RSA.Signing.PrivateKey(keySize: .bits2048) else { fatalError("cannot generate an RSA test key") }
        return key
    }

    private static let installed: Void = {
        environment.keys.update(metadataURL, keys: KeySet([KeySet.Key(id: keyID, publicKey: signer.publicKey)]))
    }()

    /// Puts the signer's public key into ``environment`` (once per process).
    public static func install() { _ = installed }

    /// The claims of a channel token as Bot Framework issues one for `activity`, valid around `now`.
    /// - Parameters:
    ///   - notBefore: `nbf`; `now - 60` by default.
    ///   - expires: `exp`; `now + 3600` by default.
    public static func claims(
        appID: String, activityBody: [UInt8], now: Date, notBefore: JSONValue? = nil, expires: JSONValue? = nil
    ) -> JSONValue {
        let t = UnixTime.seconds(of: now)
        var claims: [(String, JSONValue)] = [
            ("iss", .string("https://api.botframework.com")), ("aud", .string(appID)),
            ("nbf", notBefore ?? .number(String(t - 60))), ("exp", expires ?? .number(String(t + 3600))),
        ]
        if let serviceURL = (try? JSONValue.parse(activityBody))?["serviceUrl"]?.string {
            claims.append(("serviceurl", .string(serviceURL)))
        }
        return .object(claims)
    }

    /// Adds `Authorization: Bearer <token>` for the request's activity, signed with `key`.
    public static func sign(_ request: inout SampleRequest, appID: String, key: _RSA.Signing.PrivateKey = signer, claims: JSONValue? = nil) {
        let claims = claims ?? Self.claims(appID: appID, activityBody: request.body, now: request.now)
        let token = JWT.signRS256(claims: claims, key: key, keyID: keyID) ?? ""
        request.headers.append(("Authorization", "Bearer " + token))
    }
}
