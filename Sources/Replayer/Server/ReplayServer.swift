import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import TLSSupport

/// The replay over HTTP: serves a `ReplayEngine` on a loopback port (or the address given),
/// with CORS, `/_replay/reset` and `/_replay/status`, and misses forwarded to a live backend
/// when a fallback is set.
public struct ReplayServer: Sendable {
    public let engine: ReplayEngine
    public let fallback: ReplayFallback?
    let logger: Logger

    public init(engine: ReplayEngine, fallback: ReplayFallback? = nil, logger: Logger = Logger(label: "aomi-archive.replay")) {
        self.engine = engine
        self.fallback = fallback
        self.logger = logger
    }

    /// Starts listening; port 0 picks a free port. With `tls`, clients speak HTTPS to it.
    public func start(host: String = "127.0.0.1", port: Int = 0, tls: ListenerTLS? = nil) async throws(ReplayerError) -> RunningReplayServer {
        let shared = ReplayShared(engine: engine, fallback: fallback, logger: logger)
        let connections = ConnectionSet()
        do {
            let tlsContext = try tls?.makeContext()
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 512)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    connections.add(channel)
                    return channel.eventLoop.makeCompletedFuture {
                        if let tlsContext { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tlsContext)) }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
                        try channel.pipeline.syncOperations.addHandler(ReplayConnectionHandler(shared: shared))
                    }
                }
                .bind(host: host, port: port)
                .get()
            return RunningReplayServer(channel: channel, connections: connections, host: host, scheme: tls == nil ? "http" : "https")
        } catch {
            throw .cannotListen(address: "\(host):\(port)", reason: "\(error)")
        }
    }
}

/// A replay server that is listening.
public struct RunningReplayServer: Sendable {
    let channel: any Channel
    let connections: ConnectionSet
    public let host: String
    /// `http`, or `https` for a TLS listener.
    public let scheme: String

    public var port: Int { channel.localAddress?.port ?? 0 }
    public var baseURL: String { "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    /// Stops listening and closes every connection (open streams end).
    public func stop() async {
        try? await channel.close()
        connections.closeAll()
        await connections.waitUntilClosed()
    }
}
