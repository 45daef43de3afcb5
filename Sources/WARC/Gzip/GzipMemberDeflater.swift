import CZlib

/// Compresses one whole buffer into one complete gzip member, reusing its zlib state.
///
/// Not thread-safe: each writer owns one.
final class GzipMemberDeflater {
    private let stream: UnsafeMutablePointer<z_stream>
    let level: Int32

    /// - Parameter level: zlib level, 0 (store) to 9; -1 is zlib's default (6).
    init(level: Int32) throws(WARCWriterError) {
        self.level = level
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = czlib_deflateInit2(stream, level, 15 + 16, 9)
        guard status == Z_OK else {
            stream.deallocate()
            throw WARCWriterError.compression(status: status, detail: "deflateInit2 at level \(level)")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// The gzip member holding `input`.
    func compress(_ input: [UInt8]) throws(WARCWriterError) -> [UInt8] {
        deflateReset(stream)
        let bound = Int(deflateBound(stream, uLong(input.count))) + 32
        var status: Int32 = Z_OK
        let member = input.withUnsafeBufferPointer { inputPointer in
            [UInt8](unsafeUninitializedCapacity: bound) { outputPointer, initialized in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: inputPointer.baseAddress)
                stream.pointee.avail_in = uInt(input.count)
                stream.pointee.next_out = outputPointer.baseAddress
                stream.pointee.avail_out = uInt(bound)
                status = deflate(stream, Z_FINISH)
                initialized = status == Z_STREAM_END ? bound - Int(stream.pointee.avail_out) : 0
            }
        }
        guard status == Z_STREAM_END else {
            throw WARCWriterError.compression(status: status, detail: "deflate of a \(input.count)-byte record")
        }
        return member
    }
}
