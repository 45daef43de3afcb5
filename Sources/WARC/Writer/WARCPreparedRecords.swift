/// Records made ready to append: completed, serialised and compressed, each as its own gzip
/// member, by whichever thread has them, so that a shared file's lock covers only the write
/// (`WARCFileAppender.append(_:)`).
public struct WARCPreparedRecords: Sendable {
    /// The records as completed (ids, dates, lengths and digests filled in).
    public private(set) var records: [WARCRecord] = []
    /// Their gzip members, one after the other.
    private(set) var members: [UInt8] = []
    private(set) var starts: [Int] = []
    private(set) var lengths: [Int] = []
    private(set) var plainBytes: Int64 = 0

    public init() {}

    /// Completes, serialises and compresses `records` with a deflater of `pool`.
    public init(_ records: [WARCRecord], pool: GzipDeflaterPool) throws(WARCWriterError) {
        var prepared = WARCPreparedRecords()
        try pool.withDeflater { deflater throws(WARCWriterError) in
            for record in records { try prepared.add(record.completed(), deflater: deflater) }
        }
        self = prepared
    }

    /// Appends other prepared records behind these (written together, in one write).
    public mutating func append(_ other: WARCPreparedRecords) {
        starts += other.starts.map { $0 + members.count }
        records += other.records
        lengths += other.lengths
        members += other.members
        plainBytes += other.plainBytes
    }

    mutating func add(_ completed: WARCRecord, deflater: GzipMemberDeflater) throws(WARCWriterError) {
        let plain = completed.serialized()
        let member = try deflater.compress(plain)
        records.append(completed)
        starts.append(members.count)
        lengths.append(member.count)
        members += member
        plainBytes += Int64(plain.count)
    }
}
