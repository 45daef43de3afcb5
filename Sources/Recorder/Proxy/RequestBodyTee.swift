import Hummingbird
import NIOCore
import Synchronization

/// A request body passed on to the upstream chunk by chunk as the client sends it, with a copy
/// kept for the archive. Past `limit` bytes it fails, which aborts the upstream request.
struct RequestBodyTee: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let base: RequestBody
    let capture: RequestBodyCapture

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), capture: capture)
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let capture: RequestBodyCapture

        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else { return nil }
            try capture.append(chunk)
            return chunk
        }
    }
}

/// The bytes of a request body seen so far, shared between the upstream's body stream and the recorder.
final class RequestBodyCapture: Sendable {
    private let bytes = Mutex<[UInt8]>([])
    private let overLimit = Mutex(false)
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Thrown into the upstream request's body stream when the client sends more than `limit` bytes.
    struct TooLarge: Error {}

    func append(_ chunk: ByteBuffer) throws {
        let fits = bytes.withLock { bytes in
            guard bytes.count + chunk.readableBytes <= limit else { return false }
            bytes.append(contentsOf: chunk.readableBytesView)
            return true
        }
        guard fits else {
            overLimit.withLock { $0 = true }
            throw TooLarge()
        }
    }

    /// Everything received so far.
    var received: [UInt8] { bytes.withLock { $0 } }

    /// Whether the client went past the limit.
    var exceededLimit: Bool { overLimit.withLock { $0 } }
}
