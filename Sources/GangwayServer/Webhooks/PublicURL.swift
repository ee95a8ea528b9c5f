import Foundation
import GangwayCore

/// Rebuilds the URL a provider called, which signatures over the URL (Twilio, Plivo, Bird) cover.
///
/// In order: `server.publicURL` when set (its scheme, host and port; forwarded headers are
/// then ignored, since nginx copies the client's `Host` into `X-Forwarded-Host`); else
/// `X-Forwarded-Proto`, `-Host` and `-Port` when the peer is in `server.trustedProxies`;
/// else `http://` + the request's own `Host` (Hummingbird keeps it as `:authority`).
public enum PublicURL {
    /// - Parameters:
    ///   - target: the request target exactly as received (path and query).
    ///   - headers: the request's headers.
    ///   - authority: the request's `Host` (HTTP/1.1) or `:authority`, as the framework parsed it.
    ///   - peer: the connected peer's IP address.
    ///   - server: the server configuration.
    public static func reconstruct(
        target: String, headers: HeaderFields, authority: String? = nil, peer: String?, server: ServerConfiguration
    ) -> String {
        if let base = server.publicURL {
            return base + target
        }
        let host = authority.flatMap { $0.isEmpty ? nil : $0 } ?? headers["host"]
        func first(_ name: String) -> String? {
            headers[name]?.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        // The peer is looked up in the trusted proxies only when forwarded headers are there.
        func trusted() -> Bool { peer.map { p in server.trustedProxies.contains(where: { $0.contains(p) }) } ?? false }
        if first("x-forwarded-proto") != nil || first("x-forwarded-host") != nil, trusted() {
            let proto = (first("x-forwarded-proto") ?? "http").lowercased()
            var forwardedHost = first("x-forwarded-host") ?? host ?? "\(server.host):\(server.port)"
            if let port = first("x-forwarded-port"), !hostHasPort(forwardedHost) {
                let isDefault = (proto == "https" && port == "443") || (proto == "http" && port == "80")
                if !isDefault { forwardedHost += ":\(port)" }
            }
            return "\(proto)://\(forwardedHost)\(target)"
        }
        return "http://\(host ?? "\(server.host):\(server.port)")\(target)"
    }

    private static func hostHasPort(_ host: String) -> Bool {
        if host.hasPrefix("[") { return host.contains("]:") }
        return host.contains(":")
    }
}
