import AsyncHTTPClient
import HTTPServing
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
    public func start(host: String = "127.0.0.1", port: Int = 0, tls: ListenerTLS? = nil) async throws -> ChannelServer {
        let upstream = try UpstreamAddress(configuration.upstream)
        let listenerContext = try tls?.makeContext()
        let recorder = ExchangeRecorder(archive: archive, redactor: redactor, statistics: statistics, logger: logger)
        let descriptors = DescriptorReserve { cause in Task { await recorder.noteFailure(cause) } }
        let shared = ProxyShared(
            configuration: configuration, upstream: upstream,
            connector: .network(
                upstream, tls: upstream.usesTLS ? try configuration.upstreamTLS.makeContext() : nil, connectTimeout: configuration.upstreamConnectTimeout),
            recorder: recorder, sessions: SessionDirectory(capacity: configuration.sessionMemory), lanes: RecordingLanes(), descriptors: descriptors,
            logger: logger)
        let lanes = shared.lanes
        return try await ChannelServer.bind(
            host: host, port: port, tls: tls != nil, reserve: descriptors,
            initialize: { channel in
                if let listenerContext { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: listenerContext)) }
                try ProxyConnectionHandler.configure(channel.pipeline.syncOperations, shared: shared)
            },
            afterStop: { await lanes.waitUntilDrained() })
    }

    /// An HTTP client for talking to an upstream outside the proxy (the crawler): bodies
    /// passed as they are (no decompression), and a refused connection failed at once
    /// instead of retried until `connectTimeout` (which covers the TLS handshake).
    public static func makeUpstreamClient(tls: UpstreamTLS = .systemTrust, connectTimeout: Duration = .seconds(5)) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = tls.configuration
        configuration.decompression = .disabled
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = TimeAmount(connectTimeout)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }
}
