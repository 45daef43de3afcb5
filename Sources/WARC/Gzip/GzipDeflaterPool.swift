import Synchronization

/// Deflaters for any thread: each call borrows one (or makes one) and gives it back, so
/// records are compressed in parallel, outside the lock of the file they go to.
public final class GzipDeflaterPool: Sendable {
    public let level: Int32
    private let idle = Mutex<[GzipMemberDeflater]>([])

    /// - Parameter level: 1 (fastest) to 12 (smallest); another level fails the first write.
    public init(level: Int32) {
        self.level = level
    }

    func withDeflater<Value>(_ body: (GzipMemberDeflater) throws(WARCWriterError) -> Value) throws(WARCWriterError) -> Value {
        let borrowed = idle.withLock { $0.popLast() }
        let deflater: GzipMemberDeflater
        if let borrowed { deflater = borrowed } else { deflater = try GzipMemberDeflater(level: level) }
        defer { idle.withLock { $0.append(deflater) } }
        return try body(deflater)
    }
}
