import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Plain TCP sockets to the gateway on loopback, for what an HTTP client would never do:
/// stay silent, stop in the middle of a header, hold a connection open.
enum RawSocket {
    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    /// A connected socket; closed by ``close()``.
    final class Connection: Sendable {
        let fd: Int32
        init(fd: Int32) { self.fd = fd }
        func close() async throws { _ = Glibc.close(fd) }
    }

    static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failed(description: "socket: \(errno)") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            _ = Glibc.close(fd)
            throw Failed(description: "connect: \(errno)")
        }
        return fd
    }

    /// Opens `count` connections and keeps them open.
    static func openMany(port: Int, count: Int) async throws -> [Connection] {
        try (0..<count).map { _ in Connection(fd: try connect(port: port)) }
    }

    /// Connects, sends `text` and waits up to `within` seconds for the peer to close. True when it
    /// closed (end of stream or reset). With `expectNoResponse`, an HTTP answer counts as not closed.
    static func closedByPeer(port: Int, send text: String, within: Double, expectNoResponse: Bool = false) async throws -> Bool {
        try await Task.detached {
            let fd = try connect(port: port)
            defer { _ = Glibc.close(fd) }
            if !text.isEmpty {
                let bytes = Array(text.utf8)
                _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
            var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let deadline = Date().addingTimeInterval(within)
            var buffer = [UInt8](repeating: 0, count: 4096)
            var answered = false
            while Date() < deadline {
                let n = recv(fd, &buffer, buffer.count, 0)
                if n == 0 { return !(expectNoResponse && answered) }
                if n > 0 {
                    answered = true
                    continue
                }
                if errno == ECONNRESET { return !(expectNoResponse && answered) }
                if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR { return true }
            }
            return false
        }.value
    }
}
