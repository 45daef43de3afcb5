import HTTPServing
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
    public func start(host: String = "127.0.0.1", port: Int = 0, tls: ListenerTLS? = nil) async throws(ReplayerError) -> ChannelServer {
        let shared = ReplayShared(engine: engine, fallback: fallback, logger: logger)
        do {
            let tlsContext = try tls?.makeContext()
            return try await ChannelServer.bind(host: host, port: port, tls: tls != nil) { channel in
                if let tlsContext { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tlsContext)) }
                try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
                try channel.pipeline.syncOperations.addHandler(ReplayConnectionHandler(shared: shared))
            }
        } catch let error as ListenError {
            throw .cannotListen(address: "\(host):\(port)", reason: error.description)
        } catch {
            throw .cannotListen(address: "\(host):\(port)", reason: "cannot listen on \(host):\(port): \(error)")
        }
    }
}
