extension WARCRecord {
    /// The record as it is stored: version line, header fields, a blank line, the block, and
    /// the two line ends that end every record. `Content-Length` is written as the block's
    /// length whatever the headers say.
    public func serialized() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(block.count + 64 * (headers.fields.count + 1))
        bytes.append(contentsOf: version.utf8)
        bytes.append(contentsOf: WARCRecord.lineEnd)
        var wroteLength = false
        for field in headers.fields {
            var value = field.value
            if WARCHeaders.namesMatch(field.name, WARCField.contentLength) {
                if wroteLength { continue }
                value = String(block.count)
                wroteLength = true
            }
            bytes.append(contentsOf: field.name.utf8)
            bytes.append(contentsOf: ": ".utf8)
            bytes.append(contentsOf: WARCRecord.sanitizedFieldValue(value).utf8)
            bytes.append(contentsOf: WARCRecord.lineEnd)
        }
        if !wroteLength {
            bytes.append(contentsOf: "\(WARCField.contentLength): \(block.count)".utf8)
            bytes.append(contentsOf: WARCRecord.lineEnd)
        }
        bytes.append(contentsOf: WARCRecord.lineEnd)
        bytes.append(contentsOf: block)
        bytes.append(contentsOf: WARCRecord.lineEnd)
        bytes.append(contentsOf: WARCRecord.lineEnd)
        return bytes
    }

    static let lineEnd: [UInt8] = [0x0D, 0x0A]

    /// A field value may not hold a line end: it would start a new field. Control characters
    /// become spaces so that no caller can inject a header line.
    static func sanitizedFieldValue(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 < 0x20 && $0 != 0x09 }) else { return value }
        return String(value.map { $0.isNewline || ($0.asciiValue.map { $0 < 0x20 && $0 != 0x09 } ?? false) ? " " : $0 })
    }
}
