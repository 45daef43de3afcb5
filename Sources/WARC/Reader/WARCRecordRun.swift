/// Records stored one after another in a buffer: the content of a gzip member, or the block of
/// a bundle. The one parser of such runs, so that both report damage the same way.
enum WARCRecordRun {
    /// Why a run ended before the end of its buffer.
    enum Stop {
        /// A record's block goes past the end of the buffer by this many bytes.
        case truncatedBlock(missing: Int)
        case incompleteHeader
        case headerTooLong(limit: Int)
        case malformed(String)

        var kind: WARCDamage.Kind {
            switch self {
            case .truncatedBlock, .incompleteHeader: .truncatedRecord
            case .headerTooLong: .headerTooLong
            case .malformed: .malformedHeader
            }
        }

        /// The reason, for a run in a `container` ("member", "bundle").
        func reason(in container: String) -> String {
            switch self {
            case let .truncatedBlock(missing): "the \(container) ends \(missing) bytes before the record's block does"
            case .incompleteHeader: "the \(container) ends inside a record header"
            case let .headerTooLong(limit): "no end of the header block within \(limit) bytes"
            case let .malformed(reason): reason
            }
        }
    }

    /// Calls `take` with the position, version, fields and block of each whole record, in
    /// order, until it returns false; line ends between records are skipped. Returns where and
    /// why the run stopped before the end of `buffer`, or nil when it was read to the end.
    static func parse(
        _ buffer: UnsafeRawBufferPointer, maxHeaderBytes: Int, take: (Int, String, WARCHeaders, UnsafeRawBufferPointer) -> Bool
    ) -> (position: Int, stop: Stop)? {
        var index = skippingLineEnds(buffer, from: 0)
        while index < buffer.count {
            let rest = UnsafeRawBufferPointer(rebasing: buffer[index...])
            switch WARCHeaderParser.parse(rest, maxHeaderBytes: maxHeaderBytes) {
            case let .parsed(version, headers, headerLength, contentLength):
                guard headerLength + contentLength <= rest.count else {
                    return (index, .truncatedBlock(missing: headerLength + contentLength - rest.count))
                }
                guard take(index, version, headers, UnsafeRawBufferPointer(rebasing: rest[headerLength..<(headerLength + contentLength)])) else { return nil }
                index = skippingLineEnds(buffer, from: index + headerLength + contentLength)
            case .incomplete: return (index, .incompleteHeader)
            case .tooLong: return (index, .headerTooLong(limit: maxHeaderBytes))
            case let .malformed(reason): return (index, .malformed(reason))
            }
        }
        return nil
    }

    static func skippingLineEnds(_ bytes: UnsafeRawBufferPointer, from index: Int) -> Int {
        var index = index
        while index < bytes.count, bytes[index] == 0x0D || bytes[index] == 0x0A { index += 1 }
        return index
    }
}
