import NIOCore
import NIOHTTP1

/// The end of an upstream connection: hands what the upstream sends to the client connection
/// that owns it (both live on the same event loop).
final class UpstreamResponseHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private weak var owner: ProxyConnectionHandler?

    init(owner: ProxyConnectionHandler) {
        self.owner = owner
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        owner?.upstreamRead(unwrapInboundIn(data), from: context.channel)
    }

    func channelInactive(context: ChannelHandlerContext) {
        owner?.upstreamClosed(context.channel)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        owner?.upstreamFailed(error, from: context.channel)
        context.close(promise: nil)
    }
}
