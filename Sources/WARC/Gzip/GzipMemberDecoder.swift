import CLibdeflate

/// Decodes a whole gzip member held in memory in one call (libdeflate), CRC checked.
///
/// The reader's fast path: it needs the whole member in its input and enough output space,
/// and says only "it worked" or not. When it does not, the reader falls back to the streaming
/// `GzipMemberInflater`, which tells a torn member from a corrupt one. Not thread-safe.
final class GzipMemberDecoder {
    enum Outcome {
        case decoded(consumed: Int, produced: Int)
        case outputTooSmall
        case failed
    }

    private let decompressor: OpaquePointer

    init() {
        guard let decompressor = libdeflate_alloc_decompressor() else {
            preconditionFailure("libdeflate_alloc_decompressor failed: out of memory")
        }
        self.decompressor = decompressor
    }

    deinit {
        libdeflate_free_decompressor(decompressor)
    }

    /// Decodes the member at the start of `input` into `output`.
    func decode(input: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer) -> Outcome {
        var consumed = 0
        var produced = 0
        let result = libdeflate_gzip_decompress_ex(
            decompressor, input.baseAddress, input.count,
            output.baseAddress, output.count, &consumed, &produced)
        switch result {
        case LIBDEFLATE_SUCCESS: return .decoded(consumed: consumed, produced: produced)
        case LIBDEFLATE_INSUFFICIENT_SPACE: return .outputTooSmall
        default: return .failed
        }
    }
}
