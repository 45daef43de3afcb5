/// A bundle: one `resource` record whose block is other records, stored one after another as
/// in a plain `.warc`, so that they share one gzip member and compress against each other.
///
/// warcio and pywb read a `.warc.gz` only when every gzip member holds exactly one record, so
/// records that should compress together are put inside one record instead. Standard tools
/// see a `resource` record of type `application/warc; bundle=1`; `WARCFileReader` reads the
/// records inside it, each at the bundle's offset and its position in the bundle's block.
///
/// Digests that can be computed from the record itself (`WARC-Block-Digest`, and the
/// `WARC-Payload-Digest` of a whole HTTP response) are stored as `derived` when, and only
/// when, they equal what the reader computes: the records read back are the records packed.
public enum WARCBundle {
    /// The `Content-Type` of a bundle record.
    public static let contentType = "application/warc; bundle=1"
    /// The stored value of a digest field that the reader recomputes.
    public static let derivedDigest = "derived"

    /// Whether `record` is a bundle whose records a reader should take out.
    public static func isBundle(_ record: WARCRecord) -> Bool {
        isBundle(record.headers)
    }

    /// Whether a record with these fields is a bundle.
    static func isBundle(_ headers: WARCHeaders) -> Bool {
        headers[WARCField.type] == WARCRecordType.resource.rawValue && headers[WARCField.contentType].map(isBundleContentType) == true
    }

    private static func isBundleContentType(_ value: String) -> Bool {
        value.lowercased().filter { $0 != " " } == "application/warc;bundle=1"
    }

    /// The bundle record holding `records` (each complete, as `completed()` makes them), named
    /// by `targetURI`, dated `date`, with `fields` after the standard ones.
    public static func record(holding records: [WARCRecord], targetURI: String, date: String, fields: [(String, String)] = []) -> WARCRecord {
        record(holdingPacked: records.map(packed), targetURI: targetURI, date: date, fields: fields)
    }

    /// The bundle record of records already `packed(_:)`.
    public static func record(holdingPacked records: [WARCRecord], targetURI: String, date: String, fields: [(String, String)] = []) -> WARCRecord {
        var block: [UInt8] = []
        block.reserveCapacity(records.reduce(0) { $0 + $1.block.count + 1024 })
        for record in records { block += record.serialized() }
        let headers = [(WARCField.targetURI, targetURI), (WARCField.date, date), (WARCField.contentType, contentType)] + fields
        return WARCRecord(type: .resource, headers: headers, block: block).completed()
    }

    /// `record` with its computable digests stored as `derived`, as a bundle holds it.
    public static func packed(_ record: WARCRecord) -> WARCRecord {
        var record = record
        if record.headers.values(WARCField.blockDigest) == [WARCDigest.sha1(record.block)] {
            record.headers.set(WARCField.blockDigest, derivedDigest)
        }
        if record.headers.values(WARCField.payloadDigest).count == 1, let stored = record.headers[WARCField.payloadDigest],
            let digest = computedPayloadDigest(record), stored == digest
        {
            record.headers.set(WARCField.payloadDigest, derivedDigest)
        }
        return record
    }

    /// The records in a bundle's block, with their positions in it, as they were packed. A
    /// block that does not parse whole gives the records before the damage, and the damage.
    static func unpack(
        _ block: UnsafeRawBufferPointer, maxHeaderBytes: Int, restoring: Bool = true
    ) -> (records: [(position: Int, record: WARCRecord)], damage: (position: Int, kind: WARCDamage.Kind, reason: String)?) {
        var records: [(position: Int, record: WARCRecord)] = []
        var underivable: Int?
        let stopped = WARCRecordRun.parse(block, maxHeaderBytes: maxHeaderBytes) { position, version, headers, bytes in
            let nested = WARCRecord(version: version, headers: headers, block: Array(bytes))
            guard let record = restoring ? restored(nested) : nested else {
                underivable = position
                return false
            }
            records.append((position, record))
            return true
        }
        if let underivable {
            return (records, (underivable, .malformedHeader, "a derived payload digest on a record that holds no HTTP response"))
        }
        return (records, stopped.map { ($0.position, $0.stop.kind, $0.stop.reason(in: "bundle")) })
    }

    /// The records in a bundle as it stores them (`packed`, digests not computed); nil when
    /// `bundle` is not a bundle or its block does not parse whole.
    public static func packedRecords(in bundle: WARCRecord, maxHeaderBytes: Int = 64 * 1024) -> [WARCRecord]? {
        guard isBundle(bundle) else { return nil }
        let (records, damage) = bundle.block.withUnsafeBytes { unpack($0, maxHeaderBytes: maxHeaderBytes, restoring: false) }
        return damage == nil ? records.map(\.record) : nil
    }

    /// `record` with its `derived` digests computed; nil when one cannot be.
    static func restored(_ record: WARCRecord) -> WARCRecord? {
        var record = record
        if record.headers[WARCField.blockDigest] == derivedDigest {
            record.headers.set(WARCField.blockDigest, WARCDigest.sha1(record.block))
        }
        if record.headers[WARCField.payloadDigest] == derivedDigest {
            guard let digest = computedPayloadDigest(record) else { return nil }
            record.headers.set(WARCField.payloadDigest, digest)
        }
        return record
    }

    /// The payload digest of a whole HTTP response, as `completed()` writes it.
    private static func computedPayloadDigest(_ record: WARCRecord) -> String? {
        guard record.type == .response, record.segmentNumber == nil, let head = record.httpHeadLength else { return nil }
        return WARCDigest.sha1(record.block, range: head..<record.block.count)
    }

}
