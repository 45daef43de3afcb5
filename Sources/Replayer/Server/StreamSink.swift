import NIOCore
import Synchronization

/// An open updates stream on a client connection: events are written as HTTP chunks on the
/// connection's event loop, in the order the engine sends them.
final class StreamSink: EventSink {
    private let channel: any Channel
    private let finished = Atomic<Bool>(false)

    init(channel: any Channel) {
        self.channel = channel
    }

    func send(_ bytes: [UInt8]) {
        guard !finished.load(ordering: .acquiring) else { return }
        let channel = self.channel
        channel.eventLoop.execute {
            channel.writeAndFlush(channel.allocator.buffer(bytes: HTTPResponseBytes.chunk(bytes)), promise: nil)
        }
    }

    func finish() {
        guard !finished.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let channel = self.channel
        channel.eventLoop.execute {
            channel.writeAndFlush(channel.allocator.buffer(bytes: HTTPResponseBytes.lastChunk), promise: nil)
            channel.pipeline.fireUserInboundEventTriggered(StreamFinished())
        }
    }
}

/// Tells a connection's handler that its updates stream ended.
struct StreamFinished: Sendable {}
