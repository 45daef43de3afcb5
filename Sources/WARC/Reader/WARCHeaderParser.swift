/// Parses the header block of a WARC record from raw bytes.
enum WARCHeaderParser {
    enum Outcome {
        case parsed(version: String, headers: WARCHeaders, headerLength: Int, contentLength: Int)
        /// The bytes end before the blank line that ends the header block.
        case incomplete
        /// No blank line within the limit.
        case tooLong
        case malformed(String)
    }

    /// Parses the header block at the start of `bytes`; `headerLength` includes the blank line.
    static func parse(_ bytes: UnsafeRawBufferPointer, maxHeaderBytes: Int) -> Outcome {
        guard startsWithVersion(bytes) else {
            return bytes.count < 5 ? .incomplete : .malformed("record does not start with a WARC/ version line")
        }
        let limit = min(bytes.count, maxHeaderBytes)
        guard let end = blankLineEnd(bytes, limit: limit) else {
            return bytes.count >= maxHeaderBytes ? .tooLong : .incomplete
        }
        var headers = WARCHeaders()
        var version = ""
        var lineStart = 0
        while lineStart < end {
            var lineEnd = lineStart
            while lineEnd < end, bytes[lineEnd] != 0x0A { lineEnd += 1 }
            let next = lineEnd + 1
            if lineEnd > lineStart, bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            defer { lineStart = next }
            if lineStart == 0 {
                version = text(bytes, lineStart..<lineEnd)
                continue
            }
            if lineEnd == lineStart { continue }
            if bytes[lineStart] == 0x20 || bytes[lineStart] == 0x09 {
                guard let last = headers.fields.last else { return .malformed("continuation line before any field") }
                headers.set(last.name, last.value + " " + text(bytes, trimmed(bytes, lineStart..<lineEnd)))
                continue
            }
            var colon = lineStart
            while colon < lineEnd, bytes[colon] != 0x3A { colon += 1 }
            guard colon < lineEnd, colon > lineStart else {
                return .malformed("header line without a field name: \(text(bytes, lineStart..<Swift.min(lineEnd, lineStart + 60)))")
            }
            headers.append(text(bytes, lineStart..<colon), text(bytes, trimmed(bytes, (colon + 1)..<lineEnd)))
        }
        guard let lengthText = headers[WARCField.contentLength] else {
            return .malformed("no Content-Length field")
        }
        guard let contentLength = Int(lengthText), contentLength >= 0 else {
            return .malformed("Content-Length is not a number: \(lengthText.prefix(40))")
        }
        guard contentLength <= maxContentLength else {
            return .malformed("Content-Length \(contentLength) is beyond any record (over \(maxContentLength >> 40) TiB)")
        }
        return .parsed(version: version, headers: headers, headerLength: end, contentLength: contentLength)
    }

    /// No record is longer: offsets plus lengths below it never overflow, whatever a file says.
    static let maxContentLength = 1 << 40

    static func startsWithVersion(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 5 && bytes[0] == 0x57 && bytes[1] == 0x41 && bytes[2] == 0x52 && bytes[3] == 0x43 && bytes[4] == 0x2F
    }

    /// The index just after the first `CRLF CRLF` (or `LF LF`) before `limit`.
    private static func blankLineEnd(_ bytes: UnsafeRawBufferPointer, limit: Int) -> Int? {
        var index = 0
        while index + 1 < limit {
            if bytes[index] == 0x0A {
                if bytes[index + 1] == 0x0A { return index + 2 }
                if index + 2 < limit, bytes[index + 1] == 0x0D, bytes[index + 2] == 0x0A { return index + 3 }
            }
            index += 1
        }
        return nil
    }

    private static func text(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    private static func trimmed(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, bytes[lower] == 0x20 || bytes[lower] == 0x09 { lower += 1 }
        while upper > lower, bytes[upper - 1] == 0x20 || bytes[upper - 1] == 0x09 { upper -= 1 }
        return lower..<upper
    }
}
