import Foundation
import GangwayCore

/// Rebuilds the URL a provider called, which signatures over the URL (Twilio, Plivo) cover.
///
/// `X-Forwarded-Proto`, `-Host` and `-Port` are believed only from a peer in
/// `server.trustedProxies`. Otherwise the URL is `server.publicURL` + the request target, and
/// without a publicURL, `http://` + the `Host` header + the request target.
public enum PublicURL {
    /// - Parameters:
    ///   - target: the request target exactly as received (path and query).
    ///   - headers: the request's headers.
    ///   - peer: the connected peer's IP address.
    ///   - server: the server configuration.
    public static func reconstruct(target: String, headers: HeaderFields, peer: String?, server: ServerConfiguration) -> String {
        let trusted = peer.map { p in server.trustedProxies.contains(where: { $0.contains(p) }) } ?? false
        func first(_ name: String) -> String? {
            headers[name]?.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        if trusted, first("x-forwarded-proto") != nil || first("x-forwarded-host") != nil {
            let proto = (first("x-forwarded-proto") ?? "http").lowercased()
            var host = first("x-forwarded-host") ?? headers["host"] ?? "\(server.host):\(server.port)"
            if let port = first("x-forwarded-port"), !hostHasPort(host) {
                let isDefault = (proto == "https" && port == "443") || (proto == "http" && port == "80")
                if !isDefault { host += ":\(port)" }
            }
            return "\(proto)://\(host)\(target)"
        }
        if let base = server.publicURL {
            return base + target
        }
        return "http://\(headers["host"] ?? "\(server.host):\(server.port)")\(target)"
    }

    private static func hostHasPort(_ host: String) -> Bool {
        if host.hasPrefix("[") { return host.contains("]:") }
        return host.contains(":")
    }
}
