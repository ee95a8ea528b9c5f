import Foundation
import GangwayCore
import PostgresNIO

extension PostgresDeliveryStore {
    /// A client configuration from `postgres://user:password@host:port/database[?sslmode=...&sslrootcert=FILE]`.
    ///
    /// `sslmode` means what it means to libpq: `disable` (no TLS), `allow` and `prefer` (TLS when
    /// the server offers it, certificate not checked; the default is `prefer`), `require` (TLS,
    /// certificate not checked, unless `sslrootcert` is given: then as `verify-ca`), `verify-ca`
    /// (TLS, the certificate must chain to a trusted root), `verify-full` (that, and the host name
    /// must match). Roots are the system's, or `sslrootcert`'s PEM file. Any other value is an error.
    /// `maxConnections`: the pool's size, `store.maxConnections`.
    public static func configuration(
        url: String, maxConnections: Int = StoreConfiguration().maxConnections
    ) throws -> PostgresClient.Configuration {
        guard let c = URLComponents(string: url), ["postgres", "postgresql"].contains(c.scheme ?? ""), let host = c.host, let user = c.user else {
            throw StoreURLError(message: "store.url must look like postgres://user:password@host:5432/database")
        }
        let database = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        let tls = try tlsChoice(
            sslmode: c.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer",
            rootCertificate: c.queryItems?.first(where: { $0.name == "sslrootcert" })?.value
        ).tls
        var config = PostgresClient.Configuration(
            host: host, port: c.port ?? 5432, username: user.removingPercentEncoding ?? user,
            password: c.password?.removingPercentEncoding, database: database.isEmpty ? nil : database, tls: tls)
        config.options.connectTimeout = .seconds(5)
        config.options.maximumConnections = max(1, maxConnections)
        return config
    }

    /// The client configuration of a config file's `store` section (`store.url`,
    /// `store.maxConnections`): what `serve` and `gangway deliveries` connect with.
    public static func configuration(store: StoreConfiguration) throws -> PostgresClient.Configuration {
        try configuration(url: store.url?.value ?? "", maxConnections: store.maxConnections)
    }

    /// What an `sslmode` asks for (see ``configuration(url:)``).
    public struct TLSChoice: Sendable {
        public enum Mode: Sendable, Equatable { case disable, prefer, require }
        public var mode: Mode
        /// The certificate check (nil with `disable`).
        public var verification: CertificateVerification?
        var configuration: TLSConfiguration?

        var tls: PostgresClient.Configuration.TLS {
            switch (mode, configuration) {
            case (.prefer, let c?): .prefer(c)
            case (.require, let c?): .require(c)
            default: .disable
            }
        }
    }

    /// The TLS of an `sslmode` and an optional `sslrootcert` file (see ``configuration(url:)``).
    public static func tlsChoice(sslmode: String, rootCertificate: String?) throws -> TLSChoice {
        func choice(_ mode: TLSChoice.Mode, _ verification: CertificateVerification) -> TLSChoice {
            var t = TLSConfiguration.makeClientConfiguration()
            t.certificateVerification = verification
            if let rootCertificate { t.trustRoots = .file(rootCertificate) }
            return TLSChoice(mode: mode, verification: verification, configuration: t)
        }
        switch sslmode {
        case "disable": return TLSChoice(mode: .disable, verification: nil, configuration: nil)
        case "allow", "prefer": return choice(.prefer, .none)
        case "require": return choice(.require, rootCertificate == nil ? .none : .noHostnameVerification)
        case "verify-ca": return choice(.require, .noHostnameVerification)
        case "verify-full": return choice(.require, .fullVerification)
        default:
            throw StoreURLError(
                message: "store.url: sslmode \(sslmode) is not one of disable, allow, prefer, require, verify-ca, verify-full")
        }
    }

    public struct StoreURLError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }
}
