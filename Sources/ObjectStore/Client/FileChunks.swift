import Foundation
import NIOCore

/// A file's first `size` bytes as a sequence of 1 MiB buffers, for a streamed upload: the
/// file is never held whole. A file that shrank, or cannot be read, ends the sequence with
/// an error, so the upload fails rather than sending less than it announced.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let path: String
    let size: Int64

    struct FileChunkError: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "\(path): \(reason)" }
    }

    final class AsyncIterator: AsyncIteratorProtocol {
        private let path: String
        private let size: Int64
        private var descriptor: Int32 = -1
        private var sent: Int64 = 0

        init(path: String, size: Int64) {
            self.path = path
            self.size = size
        }

        deinit {
            if descriptor >= 0 { close(descriptor) }
        }

        func next() async throws -> ByteBuffer? {
            guard sent < size else { return nil }
            if descriptor < 0 {
                descriptor = open(path, O_RDONLY | O_CLOEXEC)
                guard descriptor >= 0 else { throw FileChunkError(path: path, reason: String(cString: strerror(errno))) }
            }
            let want = Int(Swift.min(Int64(1 << 20), size - sent))
            var buffer = ByteBufferAllocator().buffer(capacity: want)
            let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: want) { pointer in
                Swift.max(0, pread(descriptor, pointer.baseAddress, want, off_t(sent)))
            }
            guard count > 0 else { throw FileChunkError(path: path, reason: "it ends at byte \(sent), before the \(size) bytes announced") }
            sent += Int64(count)
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(path: path, size: size)
    }
}
