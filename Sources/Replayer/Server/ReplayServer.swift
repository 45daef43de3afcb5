import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

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

    public func start(host: String = "127.0.0.1", port: Int = 0) async throws(ReplayerError) -> RunningReplayServer {
        let shared = ReplayShared(engine: engine, fallback: fallback, logger: logger)
        let connections = ConnectionSet()
        do {
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 512)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    connections.add(channel)
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
                        try channel.pipeline.syncOperations.addHandler(ReplayConnectionHandler(shared: shared))
                    }
                }
                .bind(host: host, port: port)
                .get()
            return RunningReplayServer(channel: channel, connections: connections, host: host)
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

    public var port: Int { channel.localAddress?.port ?? 0 }
    public var baseURL: String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    /// Stops listening and closes every connection (open streams end).
    public func stop() async {
        try? await channel.close()
        connections.closeAll()
        while connections.count > 0 { try? await Task.sleep(for: .milliseconds(5)) }
    }
}
