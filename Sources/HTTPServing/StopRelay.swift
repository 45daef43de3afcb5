import NIOCore

/// First in a connection's pipeline: turns NIO's `ChannelShouldQuiesceEvent` into `StopEvent`.
/// NIO's HTTP pipelining handler would otherwise take the quiesce event itself and only close
/// the connection once the response in flight ends, where the proxy must first end a stream as
/// `recorder-stopped` and the replay must end an updates stream that never ends by itself.
public final class StopRelay: ChannelInboundHandler, Sendable {
    public typealias InboundIn = NIOAny

    /// The server is stopping: finish what is in flight, then close.
    public struct StopEvent: Sendable {}

    public init() {}

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        context.fireUserInboundEventTriggered(event is ChannelShouldQuiesceEvent ? StopEvent() : event)
    }
}
