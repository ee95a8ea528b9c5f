import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

// The TLS check opens its own NIOSSL connection: AsyncHTTPClient does not hand out the peer's
// certificate, whose expiry the doctor reports. NIOSSL and NIOPosix are AsyncHTTPClient's own
// dependencies.
extension Doctor {
    /// How close an expiry has to be for a warning.
    static let expiryWarningDays = 14

    /// The `tls` line. Returns why the channels' checks cannot go on (a certificate providers would
    /// refuse), or nil.
    func checkTLS(target: Target, report: inout DoctorReport) async -> String? {
        guard target.isHTTPS else {
            report.add(.warn, "tls", nil, "\(target.base) is plain http: providers require https; let the proxy terminate TLS and give them the https URL")
            return nil
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile { tls.additionalTrustRoots = [.file(caFile)] }
        let trust = caFile == nil ? "the system's trust roots" : "the system's trust roots and \(caFile ?? "")"
        let endpoint = "\(target.host):\(target.port)"
        switch await TLSProbe.handshake(host: target.host, port: target.port, configuration: tls, timeout: .seconds(Int64(timeout))) {
        case .connectFailed(let error):
            report.add(.fail, "tls", nil, "cannot connect to \(endpoint): \(Self.describe(error, timeout: timeout))")
            return nil
        case .verified(let certificate):
            let now = Date()
            let left = certificate.notValidAfter.timeIntervalSince(now) / 86_400
            let days = Int(exactly: left.rounded(.down)) ?? 0
            let until = "valid until \(certificate.notValidAfter.formatted(.iso8601)) (\(days) day\(days == 1 ? "" : "s"))"
            if left < Double(Self.expiryWarningDays) {
                report.add(
                    .warn, "tls", nil,
                    "the certificate of \(endpoint) (\(certificate.names)) verifies but ends within \(Self.expiryWarningDays) days: \(until); renew it before providers start failing"
                )
            } else {
                report.add(.pass, "tls", nil, "the certificate of \(endpoint) (\(certificate.names)) verifies with \(trust); \(until)")
            }
            return nil
        case .handshakeFailed(let error):
            var plain = tls
            plain.certificateVerification = .none
            let seen: TLSProbe.Certificate?
            if case .verified(let c) = await TLSProbe.handshake(host: target.host, port: target.port, configuration: plain, timeout: .seconds(Int64(timeout))) {
                seen = c
            } else {
                seen = nil
            }
            report.add(
                .fail, "tls", nil, "the TLS handshake with \(endpoint) fails: " + Self.tlsReason(error, certificate: seen, host: target.host, trust: trust))
            return "the TLS certificate of \(target.base) does not verify (see tls), so providers cannot connect either"
        }
    }

    /// Why a verified handshake failed, in terms an operator can act on.
    static func tlsReason(_ error: any Error, certificate: TLSProbe.Certificate?, host: String, trust: String) -> String {
        let now = Date()
        let names = certificate.map { " (it is for \($0.names))" } ?? ""
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return "wrong host: the certificate is not for \(host)\(names); the proxy serves another site's certificate"
        }
        if let c = certificate, c.notValidAfter < now {
            return "expired: the certificate\(names) ended on \(c.notValidAfter.formatted(.iso8601)); renew it"
        }
        if let c = certificate, c.notValidBefore > now {
            return "not valid yet: the certificate\(names) starts on \(c.notValidBefore.formatted(.iso8601)); check the clocks"
        }
        if String(describing: error).contains("CERTIFICATE_VERIFY_FAILED") {
            return "untrusted: the certificate\(names) is not issued by a CA in \(trust) (self-signed, a private CA, or the proxy "
                + "does not send its intermediate certificates: serve the full chain); for a private CA pass --ca-file"
        }
        return "\(error)"
    }
}

/// One TLS handshake, outside AsyncHTTPClient, to read the peer's certificate.
enum TLSProbe {
    /// What the doctor shows of a certificate.
    struct Certificate: Sendable {
        var notValidBefore: Date
        var notValidAfter: Date
        /// Its DNS and IP subject alternative names, else its subject.
        var names: String
    }

    enum Outcome: Sendable {
        case verified(Certificate)
        case connectFailed(any Error)
        case handshakeFailed(any Error)
    }

    private struct TimedOut: Error, CustomStringConvertible {
        var description: String { "no TLS handshake within the timeout" }
    }

    /// Connects, shakes hands with `configuration` (SNI and the host check as AsyncHTTPClient does
    /// them: an IP address is checked against the certificate's IP names), and reads the leaf.
    static func handshake(host: String, port: Int, configuration: TLSConfiguration, timeout: TimeAmount) async -> Outcome {
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            return .handshakeFailed(error)
        }
        let isIP = (try? SocketAddress(ipAddress: host, port: 0)) != nil
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let done = loop.makePromise(of: Void.self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .connectTimeout(timeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: isIP ? nil : host))
                        try channel.pipeline.syncOperations.addHandler(HandshakeWatcher(done: done))
                    }
                }
                .connect(host: host, port: port).get()
        } catch {
            done.fail(error)
            return .connectFailed(error)
        }
        let timer = loop.scheduleTask(in: timeout) { done.fail(TimedOut()) }
        defer {
            timer.cancel()
            channel.close(promise: nil)
        }
        do {
            try await done.futureResult.get()
            let certificate = try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self).peerCertificate.map(Self.summary)
            }.get()
            guard let certificate else { return .handshakeFailed(NIOSSLError.noCertificateToValidate) }
            return .verified(certificate)
        } catch {
            return .handshakeFailed(error)
        }
    }

    /// An IP subject alternative name (4 or 16 bytes) as text.
    private static func ipText(_ bytes: [UInt8]) -> String? {
        switch bytes.count {
        case 4: return bytes.map(String.init).joined(separator: ".")
        case 16: return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }.joined(separator: ":")
        default: return nil
        }
    }

    private static func summary(_ c: NIOSSLCertificate) -> Certificate {
        // `_subjectAlternativeNames` is NIOSSL's own (underscored) reading of the names, as its
        // `description` shows them.
        let names = c._subjectAlternativeNames().compactMap { name -> String? in
            switch name.nameType {
            case .dnsName: String(decoding: name.contents, as: UTF8.self)
            case .ipAddress: ipText(Array(name.contents))
            default: nil
            }
        }
        return Certificate(
            notValidBefore: Date(timeIntervalSince1970: TimeInterval(c.notValidBefore)),
            notValidAfter: Date(timeIntervalSince1970: TimeInterval(c.notValidAfter)),
            names: names.isEmpty ? "no subject alternative names" : names.joined(separator: ", "))
    }
}

/// Completes `done` when the handshake completes, or fails it with the first error or the close.
private final class HandshakeWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    let done: EventLoopPromise<Void>

    init(done: EventLoopPromise<Void>) { self.done = done }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls { done.succeed(()) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        done.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.fail(TLSProbeClosed())
        context.fireChannelInactive()
    }
}

private struct TLSProbeClosed: Error, CustomStringConvertible {
    var description: String { "the server closed the connection during the TLS handshake" }
}
