import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import TLSSupport

/// The recording reverse proxy: passes every request through to the upstream unchanged,
/// streams the response back (SSE event by event), and records each exchange, redacted, into
/// the wallet's archive.
///
/// It works at the channel level (SwiftNIO's HTTP/1 codec on both sides, one upstream
/// connection per client connection on the same event loop) rather than through Hummingbird
/// and AsyncHTTPClient: in that design the hops between the server, the client and the task
/// pool cost more than the recording itself (tools/bench/recorder.sh measures the difference).
public struct RecordingProxy: Sendable {
    public let configuration: RecorderConfiguration
    public let statistics = RecorderStatistics()
    let archive: WalletArchive
    let redactor: Redactor
    let logger: Logger

    public init(configuration: RecorderConfiguration, archive: WalletArchive, redactor: Redactor, logger: Logger) {
        self.configuration = configuration
        self.archive = archive
        self.redactor = redactor
        self.logger = logger
    }

    /// Starts listening; port 0 picks a free port. With `tls`, clients speak HTTPS to it.
    public func start(host: String = "127.0.0.1", port: Int = 0, tls: ListenerTLS? = nil) async throws -> RecordingProxyServer {
        let upstream = try UpstreamAddress(configuration.upstream)
        let listenerContext = try tls?.makeContext()
        let shared = ProxyShared(
            configuration: configuration, upstream: upstream,
            connector: .network(upstream, tls: upstream.usesTLS ? try configuration.upstreamTLS.makeContext() : nil),
            recorder: ExchangeRecorder(archive: archive, redactor: redactor, statistics: statistics, logger: logger),
            sessions: SessionDirectory(capacity: configuration.sessionMemory), registry: ConnectionRegistry(), logger: logger)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let listenerContext { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: listenerContext)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(ProxyConnectionHandler(shared: shared))
                }
            }
            .bind(host: host, port: port)
            .get()
        return RecordingProxyServer(channel: channel, registry: shared.registry, host: host, scheme: tls == nil ? "http" : "https")
    }

    /// An HTTP client for talking to an upstream outside the proxy (the crawler): bodies
    /// passed as they are (no decompression), and a refused connection failed at once
    /// instead of retried until the connect timeout.
    public static func makeUpstreamClient(tls: UpstreamTLS = .systemTrust) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = tls.configuration
        configuration.decompression = .disabled
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }
}

/// A listening recording proxy; `stop()` ends it gracefully.
public struct RecordingProxyServer: Sendable {
    let channel: any Channel
    let registry: ConnectionRegistry
    public let host: String
    /// `http`, or `https` for a TLS listener.
    public let scheme: String

    public var port: Int { channel.localAddress?.port ?? 0 }
    public var baseURL: String { "\(scheme)://\(host):\(port)" }
    /// Client connections open now (a closed one has also closed its upstream connection).
    public var openConnections: Int { registry.openCount }

    init(channel: any Channel, registry: ConnectionRegistry, host: String, scheme: String) {
        self.channel = channel
        self.registry = registry
        self.host = host
        self.scheme = scheme
    }

    /// Stops accepting connections; idle ones close, streams end as `recorder-stopped`,
    /// exchanges in flight get up to `grace` to finish. Returns once everything seen is archived.
    public func stop(grace: Duration = .seconds(2)) async {
        try? await channel.close()
        let registry = self.registry
        registry.stopAll()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await registry.waitUntilClosed() }
            group.addTask {
                // The grace period is a deadline: what is still open then is closed.
                try? await Task.sleep(for: grace)
                if !Task.isCancelled { registry.closeAll() }
            }
            await group.next()
            group.cancelAll()
        }
        registry.closeAll()
        await registry.waitUntilClosed()
        await registry.waitForLanes()
    }
}
