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
        var lines = splitLines(UnsafeRawBufferPointer(rebasing: bytes[0..<end]))
        let version = String(decoding: lines.removeFirst(), as: UTF8.self)
        var headers = WARCHeaders()
        for line in lines where !line.isEmpty {
            if line.first == 0x20 || line.first == 0x09 {
                guard let last = headers.fields.last else { return .malformed("continuation line before any field") }
                let more = trimmed(String(decoding: line, as: UTF8.self))
                headers.set(last.name, last.value + " " + more)
                continue
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else {
                return .malformed("header line without a field name: \(preview(line))")
            }
            let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self)
            let value = trimmed(String(decoding: line[(colon + 1)...], as: UTF8.self))
            headers.append(name, value)
        }
        guard let lengthText = headers[WARCField.contentLength] else {
            return .malformed("no Content-Length field")
        }
        guard let contentLength = Int(lengthText), contentLength >= 0 else {
            return .malformed("Content-Length is not a number: \(lengthText.prefix(40))")
        }
        return .parsed(version: version, headers: headers, headerLength: end, contentLength: contentLength)
    }

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

    private static func splitLines(_ bytes: UnsafeRawBufferPointer) -> [ArraySlice<UInt8>] {
        let all = Array(bytes)
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = 0
        for index in all.indices where all[index] == 0x0A {
            var lineEnd = index
            if lineEnd > lineStart, all[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            lines.append(all[lineStart..<lineEnd])
            lineStart = index + 1
        }
        return lines
    }

    private static func trimmed(_ text: String) -> String {
        var slice = Substring(text)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }

    private static func preview(_ line: ArraySlice<UInt8>) -> String {
        String(decoding: line.prefix(60), as: UTF8.self)
    }
}
