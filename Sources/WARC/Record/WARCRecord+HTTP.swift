extension WARCRecord {
    /// Where the HTTP message head ends in the block (just after its blank line), for
    /// records holding an HTTP message; nil when the block holds no complete head.
    public var httpHeadLength: Int? {
        guard holdsHTTPMessage else { return nil }
        return Self.httpHeadLength(of: block)
    }

    /// The HTTP message body in the block: what `WARC-Payload-Digest` covers.
    public var httpPayload: ArraySlice<UInt8>? {
        httpHeadLength.map { block[$0...] }
    }

    /// The end of the first blank line (`CRLF CRLF`, or a bare `LF LF`) in `bytes`.
    public static func httpHeadLength(of bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { pointer -> Int? in
            var index = 0
            let count = pointer.count
            while index + 1 < count {
                guard pointer[index] == 0x0A else {
                    index += 1
                    continue
                }
                if pointer[index + 1] == 0x0A { return index + 2 }
                if index + 2 < count, pointer[index + 1] == 0x0D, pointer[index + 2] == 0x0A { return index + 3 }
                index += 1
            }
            return nil
        }
    }
}
