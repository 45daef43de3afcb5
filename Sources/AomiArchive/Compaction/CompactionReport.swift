/// What compacting one file did.
public struct CompactionReport: Sendable, Equatable {
    public var path: String
    /// True when the file was compacted before and left as it was.
    public var alreadyCompacted: Bool
    /// Records moved into bundles (the `warcinfo` aside).
    public var records: Int
    public var bundles: Int
    public var bytesBefore: Int64
    public var bytesAfter: Int64
    /// The records' bytes, uncompressed.
    public var inflatedBytes: Int64
    public var seconds: Double

    /// Compressed input bytes per second.
    public var bytesPerSecond: Double { seconds > 0 ? Double(bytesBefore) / seconds : 0 }
}

extension CompactionReport {
    /// The totals of the files that were compacted now, under `path`.
    public static func total(of reports: [CompactionReport], path: String) -> CompactionReport {
        let done = reports.filter { !$0.alreadyCompacted }
        return CompactionReport(
            path: path, alreadyCompacted: false, records: done.reduce(0) { $0 + $1.records }, bundles: done.reduce(0) { $0 + $1.bundles },
            bytesBefore: done.reduce(0) { $0 + $1.bytesBefore }, bytesAfter: done.reduce(0) { $0 + $1.bytesAfter },
            inflatedBytes: done.reduce(0) { $0 + $1.inflatedBytes }, seconds: done.reduce(0) { $0 + $1.seconds })
    }
}
