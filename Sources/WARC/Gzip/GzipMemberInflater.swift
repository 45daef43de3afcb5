import CZlib

/// Inflates gzip members one at a time from caller-supplied input, telling where each ends.
///
/// Not thread-safe: each reader owns one.
final class GzipMemberInflater {
    /// What one call to `inflate` did.
    enum Step {
        /// The member ended; `consumed` input bytes were used in this call.
        case memberEnded(consumed: Int, produced: Int)
        /// All input was used (or the output is full) and the member goes on.
        case needsMore(consumed: Int, produced: Int)
        /// The bytes are not a valid gzip member; zlib's message says why.
        case corrupt(reason: String)
    }

    private let stream: UnsafeMutablePointer<z_stream>

    init() {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = czlib_inflateInit2(stream, 15 + 16)
        precondition(status == Z_OK, "inflateInit2 failed with \(status): out of memory")
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Starts a new member.
    func reset() {
        inflateReset(stream)
    }

    /// Inflates from `input` into `output` until the member ends, the input is used up or
    /// the output is full.
    func inflate(input: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer) -> Step {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.pointee.avail_in = uInt(input.count)
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: UInt8.self)
        stream.pointee.avail_out = uInt(output.count)
        let status = CZlib.inflate(stream, Z_NO_FLUSH)
        let consumed = input.count - Int(stream.pointee.avail_in)
        let produced = output.count - Int(stream.pointee.avail_out)
        switch status {
        case Z_STREAM_END:
            return .memberEnded(consumed: consumed, produced: produced)
        case Z_OK, Z_BUF_ERROR:
            return .needsMore(consumed: consumed, produced: produced)
        default:
            let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
            return .corrupt(reason: message)
        }
    }
}
