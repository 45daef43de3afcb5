import NIOCore
import NIOPosix

/// Sends raw bytes on a fresh loopback connection and returns what comes back until the server
/// closes: for requests no HTTP client would send (absolute-form targets, CONNECT, bad heads).
/// A server that refuses early may close (or reset) before it has read everything sent: what
/// arrived until then is the answer.
public enum RawSocket {
    public static func exchange(port: Int, bytes: [UInt8]) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try? await outbound.write(ByteBuffer(bytes: bytes))
            var text = ""
            do {
                for try await part in inbound { text += String(buffer: part) }
            } catch {
                // Reset by the server: keep what came.
            }
            return text
        }
    }
}
