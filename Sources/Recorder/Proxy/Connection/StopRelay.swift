import NIOCore

/// First in a proxy connection's pipeline: turns NIO's `ChannelShouldQuiesceEvent` into the
/// proxy's own `StopEvent`. NIO's HTTP pipelining handler would otherwise take the quiesce
/// event itself and only close the connection, where the proxy must first end a stream as
/// `recorder-stopped` and archive the exchange in flight.
final class StopRelay: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    /// The server is stopping: finish what is in flight, then close.
    struct StopEvent: Sendable {}

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        context.fireUserInboundEventTriggered(event is ChannelShouldQuiesceEvent ? StopEvent() : event)
    }
}
