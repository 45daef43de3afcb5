import NIOCore
import NIOPosix
import NIOSSL
import TLSSupport

/// How a client connection reaches the upstream: a TCP connection (TLS for an `https://`
/// upstream) on the client connection's event loop. Tests hand in channels of their own.
struct UpstreamConnector: Sendable {
    /// Opens a connection on `eventLoop` whose pipeline `initialize` completes (HTTP client
    /// handlers and the response handler, added after any TLS).
    let connect: @Sendable (_ eventLoop: any EventLoop, _ initialize: @escaping @Sendable (any Channel) throws -> Void) -> EventLoopFuture<any Channel>

    /// TCP to `upstream`, with TLS when `tls` is given (SNI and verification for the upstream's host).
    static func network(_ upstream: UpstreamAddress, tls: NIOSSLContext?, connectTimeout: Duration) -> UpstreamConnector {
        UpstreamConnector { eventLoop, initialize in
            ClientBootstrap(group: eventLoop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(TimeAmount(connectTimeout))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls { try channel.pipeline.syncOperations.addHandler(UpstreamTLS.clientHandler(context: tls, host: upstream.host)) }
                        try initialize(channel)
                    }
                }
                .connect(host: upstream.host, port: upstream.port)
        }
    }
}
