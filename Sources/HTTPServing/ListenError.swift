import Foundation
import NIOCore

/// Why a server could not listen, naming the address and what to do: the port is taken, too
/// low for this user, or the host is no address of this machine.
public struct ListenError: Error, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let errno: Int32?
    public let reason: String

    public var description: String {
        let address = "\(host):\(port)"
        switch errno {
        case EADDRINUSE:
            return "cannot listen on \(address): the address is already in use (another server, or an earlier run still stopping); "
                + "stop it, or choose another address with --listen HOST:PORT (port 0 picks a free one)"
        case EACCES:
            return "cannot listen on \(address): permission denied (ports below 1024 need privileges); choose another port with --listen"
        case EADDRNOTAVAIL:
            return "cannot listen on \(address): \(host) is not an address of this machine; use 127.0.0.1, 0.0.0.0 or one of its interfaces"
        default:
            return "cannot listen on \(address): \(reason)"
        }
    }

    /// `error` from binding `host:port`, as a `ListenError` when it is a socket error.
    static func wrapping(_ error: any Error, host: String, port: Int) -> any Error {
        if let io = error as? IOError { return ListenError(host: host, port: port, errno: io.errnoCode, reason: String(cString: strerror(io.errnoCode))) }
        if let socket = error as? SocketAddressError { return ListenError(host: host, port: port, errno: nil, reason: "\(socket)") }
        return error
    }
}
