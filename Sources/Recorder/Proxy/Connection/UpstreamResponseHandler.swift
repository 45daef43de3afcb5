import NIOCore
import NIOHTTP1

/// The end of an upstream connection: hands what the upstream sends to the client connection
/// that owns it (both live on the same event loop), with the number of the attempt that opened
/// it, so that a dropped connection's last words are told apart from the current one's.
final class UpstreamResponseHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private weak var owner: ProxyConnectionHandler?
    private let attempt: Int

    init(owner: ProxyConnectionHandler, attempt: Int) {
        self.owner = owner
        self.attempt = attempt
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        owner?.upstreamRead(unwrapInboundIn(data), attempt: attempt)
    }

    func channelInactive(context: ChannelHandlerContext) {
        owner?.upstreamClosed(attempt: attempt)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        owner?.upstreamFailed(error, attempt: attempt)
        context.close(promise: nil)
    }
}
