import Foundation
import Synchronization

/// A free TCP port on 127.0.0.1, for a server a test starts (the kernel picks it; a server
/// that then finds it taken is started again on another). A port is handed out once per test
/// process: the kernel may give a port just released to the next caller, and suites that
/// start their servers at the same moment would then get the same one.
public enum LoopbackPort {
    private static let handedOut = Mutex<Set<Int>>([])

    public static func free() throws -> Int {
        while true {
            let port = try probe()
            if handedOut.withLock({ $0.insert(port).inserted }) { return port }
        }
    }

    private static func probe() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw LoopbackPortError(message: "socket: errno \(errno)") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw LoopbackPortError(message: "bind: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Why no port could be had.
public struct LoopbackPortError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
