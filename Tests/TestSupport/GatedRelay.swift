import Foundation
import Synchronization

/// A TCP relay on a loopback port to another one, with a gate the test drives: armed with
/// `hold(after:)`, it stops passing a connection's client-to-server bytes once that many went
/// through, and says so (`isHolding`), so a test can act while an upload is in flight (stop
/// the store, say) and then `cutAll()` and `open()`. With `refuse(next:)`, new connections
/// are answered by the relay itself, as a busy S3 store answers: `503 SlowDown`, then closed.
/// Blocking sockets on threads of its own.
public final class GatedRelay: Sendable {
    public let port: Int
    private let target: Int
    private let listener: Int32
    private let state = Mutex(State())

    private struct State {
        var holdAfter: Int?
        var holding = false
        var refusals = 0
        var refused = 0
        var sockets: Set<Int32> = []
        var stopped = false
    }

    public init(to target: Int) throws {
        self.target = target
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard descriptor >= 0, bound, listen(descriptor, 16) == 0 else { throw LoopbackPortError(message: "relay listener: errno \(errno)") }
        listener = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in acceptLoop() }.start()
    }

    /// Arms the gate: each connection passes at most `bytes` from its client, then holds.
    public func hold(after bytes: Int) {
        state.withLock { $0.holdAfter = bytes }
    }

    /// The next `count` connections get `503 SlowDown` and are closed, not relayed.
    public func refuse(next count: Int) {
        state.withLock { $0.refusals = count }
    }

    /// How many connections were answered `503 SlowDown` so far.
    public var refused: Int { state.withLock { $0.refused } }

    /// Whether a connection is held at the gate now.
    public var isHolding: Bool { state.withLock { $0.holding } }

    /// Opens the gate: everything passes again.
    public func open() {
        state.withLock {
            $0.holdAfter = nil
            $0.holding = false
        }
    }

    /// Ends every relayed connection at once (both sides).
    public func cutAll() {
        let sockets = state.withLock { $0.sockets }
        for socket in sockets { shutdown(socket, Int32(SHUT_RDWR)) }
    }

    public func stop() {
        state.withLock { $0.stopped = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        cutAll()
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let refusing = state.withLock { state in
                guard state.refusals > 0 else { return false }
                state.refusals -= 1
                state.refused += 1
                return true
            }
            if refusing {
                Thread { Self.answerSlowDown(client) }.start()
                continue
            }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: target)
            let connected = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            guard connected else {
                close(server)
                close(client)
                continue
            }
            state.withLock { $0.sockets.formUnion([client, server]) }
            let pair = Pair(client: client, server: server)
            Thread { [self] in pump(from: client, to: server, gated: true, pair: pair) }.start()
            Thread { [self] in pump(from: server, to: client, gated: false, pair: pair) }.start()
        }
    }

    /// Copies bytes until either side ends; the client's side stops at the gate while armed.
    private func pump(from source: Int32, to destination: Int32, gated: Bool, pair: Pair) {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var passed = 0
        defer {
            shutdown(source, Int32(SHUT_RDWR))
            shutdown(destination, Int32(SHUT_RDWR))
            // The second pump to end closes both sockets: neither is closed under the other.
            if pair.ended.add(1, ordering: .acquiringAndReleasing).newValue == 2 {
                state.withLock { $0.sockets.subtract([pair.client, pair.server]) }
                close(pair.client)
                close(pair.server)
            }
        }
        while true {
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return }
            var offset = 0
            while offset < count {
                var allowed = count - offset
                if gated, let limit = state.withLock({ $0.holdAfter }) {
                    allowed = min(allowed, max(0, limit - passed))
                    if allowed == 0 {
                        state.withLock { $0.holding = true }
                        // Held until the gate opens or the connection is cut.
                        while state.withLock({ $0.holdAfter != nil && !$0.stopped }) {
                            if !isOpen(source) { return }
                            usleep(10_000)
                        }
                        continue
                    }
                }
                let written = buffer[offset..<(offset + allowed)].withUnsafeBytes { send(destination, $0.baseAddress, allowed, Int32(MSG_NOSIGNAL)) }
                guard written > 0 else { return }
                offset += written
                passed += written
            }
        }
    }

    /// Reads the request's head, answers `503 SlowDown` as S3 does, and closes.
    private static func answerSlowDown(_ client: Int32) {
        var head: [UInt8] = []
        var byte: UInt8 = 0
        while !head.suffix(4).elementsEqual([13, 10, 13, 10]), head.count < 64 << 10, read(client, &byte, 1) == 1 { head.append(byte) }
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>relay</RequestId></Error>"
        let answer = Array(
            "HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)".utf8)
        _ = answer.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        shutdown(client, Int32(SHUT_WR))
        // Drain what the client still sends (a body), so it reads the answer, not a reset.
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while buffer.withUnsafeMutableBytes({ read(client, $0.baseAddress, $0.count) }) > 0 {}
        close(client)
    }

    /// Whether `socket` is still open for reading (not shut down by `cutAll`).
    private func isOpen(_ socket: Int32) -> Bool {
        var poller = pollfd(fd: socket, events: Int16(POLLIN) | Self.readHangUp, revents: 0)
        guard poll(&poller, 1, 0) > 0 else { return true }
        return poller.revents & (Int16(POLLHUP | POLLERR | POLLNVAL) | Self.readHangUp) == 0
    }

    /// `POLLRDHUP` (the peer or `shutdown` ended reading), which Swift's Glibc module does not import.
    private static let readHangUp: Int16 = 0x2000

    /// One relayed connection's two sockets, and how many of its pumps have ended.
    private final class Pair: Sendable {
        let client: Int32
        let server: Int32
        let ended = Atomic<Int>(0)

        init(client: Int32, server: Int32) {
            self.client = client
            self.server = server
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return address
    }
}
