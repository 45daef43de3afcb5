import NIOCore
import NIOExtras
import NIOPosix

/// A SwiftNIO server channel (the recording proxy, the replay) with NIO's quiescing helper:
/// `stop` closes the listening socket and sends each connection a `ChannelShouldQuiesceEvent`,
/// which its handler answers by closing when idle and after the exchange in flight otherwise.
/// Connections still open when the grace period ends are closed.
public struct ChannelServer: RunningServer {
    public let host: String
    public let scheme: String
    let channel: any Channel
    let quiescing: ServerQuiescingHelper
    let connections: ConnectionSet
    let afterStop: @Sendable () async -> Void

    public var port: Int { channel.localAddress?.port ?? 0 }
    /// Client connections open now.
    public var openConnections: Int { connections.count }

    /// Binds `host:port` (0 picks a free port) and sets each accepted connection up with
    /// `initialize`. `afterStop` runs once every connection has closed (the proxy waits there
    /// for its archive writes). `tls` only decides the scheme: `initialize` adds the TLS handler.
    /// With a `reserve`, the listener keeps accepting when the process runs out of descriptors
    /// (`DescriptorReserve`), so connections can be told so.
    public static func bind(
        host: String,
        port: Int,
        tls: Bool,
        reserve: DescriptorReserve? = nil,
        initialize: @escaping @Sendable (any Channel) throws -> Void,
        afterStop: @escaping @Sendable () async -> Void = {}
    ) async throws -> ChannelServer {
        let group = MultiThreadedEventLoopGroup.singleton
        let quiescing = ServerQuiescingHelper(group: group)
        let connections = ConnectionSet()
        let channel: any Channel
        do {
            channel = try await bootstrap(group: group, quiescing: quiescing, connections: connections, reserve: reserve, initialize: initialize)
                .bind(host: host, port: port).get()
        } catch {
            throw ListenError.wrapping(error, host: host, port: port)
        }
        return ChannelServer(
            host: host, scheme: tls ? "https" : "http", channel: channel, quiescing: quiescing, connections: connections, afterStop: afterStop)
    }

    private static func bootstrap(
        group: MultiThreadedEventLoopGroup, quiescing: ServerQuiescingHelper, connections: ConnectionSet, reserve: DescriptorReserve?,
        initialize: @escaping @Sendable (any Channel) throws -> Void
    ) -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let reserve { try channel.pipeline.syncOperations.addHandler(DescriptorReserve.ListenerHandler(reserve: reserve)) }
                    try channel.pipeline.syncOperations.addHandler(quiescing.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                connections.add(channel)
                if let reserve { channel.closeFuture.whenComplete { _ in reserve.connectionClosed() } }
                return channel.eventLoop.makeCompletedFuture { try initialize(channel) }
            }
    }

    public func stop(grace: Duration) async {
        let drained = channel.eventLoop.makePromise(of: Void.self)
        quiescing.initiateShutdown(promise: drained)
        let connections = self.connections
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await drained.futureResult.get() }
            group.addTask {
                // The grace period is a deadline: what is still open then is closed.
                try? await Task.sleep(for: grace)
                if !Task.isCancelled { connections.closeAll() }
            }
            await group.next()
            group.cancelAll()
        }
        try? await drained.futureResult.get()
        await connections.waitUntilClosed()
        await afterStop()
    }
}
