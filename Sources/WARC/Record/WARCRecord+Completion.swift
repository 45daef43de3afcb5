extension WARCRecord {
    /// The record with the fields every stored record carries: `WARC-Record-ID` and
    /// `WARC-Date` (right after `WARC-Type`) when missing, `WARC-Block-Digest`, and for an
    /// unsegmented HTTP response `WARC-Payload-Digest`, and `Content-Length` set to the block's
    /// length. Other fields already present are kept: the result is exactly what is stored.
    public func completed(date: WARCDate = .now()) -> WARCRecord {
        var record = self
        var insertAt = record.headers.fields.firstIndex { WARCHeaders.namesMatch($0.name, WARCField.type) }.map { $0 + 1 } ?? 0
        if !record.headers.contains(WARCField.recordID) {
            record.headers.insert(WARCField.recordID, WARCRecordID.make(), at: insertAt)
            insertAt += 1
        }
        if !record.headers.contains(WARCField.date) {
            record.headers.insert(WARCField.date, date.description, at: insertAt)
        }
        if !record.headers.contains(WARCField.blockDigest) {
            record.headers.append(WARCField.blockDigest, WARCDigest.sha1(block))
        }
        if record.needsPayloadDigest, let head = record.httpHeadLength {
            record.headers.append(WARCField.payloadDigest, WARCDigest.sha1(block, range: head..<block.count))
        }
        record.headers.set(WARCField.contentLength, String(record.block.count))
        return record
    }

    private var needsPayloadDigest: Bool {
        type == .response && !headers.contains(WARCField.payloadDigest) && !headers.contains(WARCField.segmentNumber)
    }
}
