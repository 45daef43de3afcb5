import NIOCore
import Synchronization

/// The bytes of recorded answers, made once per answer as served (`RecordedAnswerID`) and CORS
/// origin, and written again for every request the answer serves: a hit is then a lookup and
/// a write of a shared buffer. Holds at most `capacity` answers; when full it starts again
/// empty (the next hits make their bytes again), so memory stays bounded whatever the
/// archive's size.
final class PreparedAnswers: Sendable {
    private struct Key: Hashable {
        let answer: RecordedAnswerID
        let origin: String?
    }

    private let buffers = Mutex<[Key: ByteBuffer]>([:])
    let capacity: Int

    init(capacity: Int = 8192) {
        self.capacity = capacity
    }

    /// The bytes of `answer` for a connection whose request came from `origin`, made by `make`
    /// the first time.
    func bytes(of answer: RecordedAnswerID, origin: String?, make: () -> [UInt8]) -> ByteBuffer {
        let key = Key(answer: answer, origin: origin)
        if let buffer = buffers.withLock({ $0[key] }) { return buffer }
        let buffer = ByteBuffer(bytes: make())
        buffers.withLock { buffers in
            if buffers.count >= capacity { buffers.removeAll(keepingCapacity: true) }
            buffers[key] = buffer
        }
        return buffer
    }
}
