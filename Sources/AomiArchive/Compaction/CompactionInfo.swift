import WARC

/// What a compacted file's `warcinfo` says about its compaction: the line
/// `compacted: DATE` added to the original `warcinfo` fields. The record gets a new id (its
/// content changed), which is also how the index learns that the file was rewritten.
public struct CompactionInfo: Sendable, Equatable {
    public static let compactedKey = "compacted"

    /// When the file was compacted.
    public var date: String

    /// The compaction a `warcinfo` record reports; nil for a file never compacted.
    public init?(_ warcinfo: WARCRecord) {
        guard warcinfo.type == .warcinfo, let date = ArchiveInfo.values(of: Self.compactedKey, in: warcinfo).first else { return nil }
        self.date = date
    }

    /// The compaction of the file at `path`, read from its first record; nil for a file never
    /// compacted, an `.open` file, or one whose first record cannot be read.
    public init?(file path: String) {
        guard !ArchiveFiles.isOpen(path),
            let reader = try? WARCFileReader(path: path, options: WARCReaderOptions(windowBytes: 64 << 10, readsInsideBundles: false)),
            case let .record(first)? = reader.next()
        else { return nil }
        self.init(first.record)
    }

    /// The `warcinfo` of the compacted file: the original's fields and block, plus the
    /// compaction line, under a new record id.
    static func marking(_ warcinfo: WARCRecord, compactedAt date: WARCDate) -> WARCRecord {
        var record = warcinfo
        record.headers.remove(WARCField.recordID)
        record.headers.remove(WARCField.blockDigest)
        var block = record.block
        while let last = block.last, last == 0x0A || last == 0x0D { block.removeLast() }
        if !block.isEmpty { block += [0x0D, 0x0A] }
        block += Array("\(compactedKey): \(date)\r\n".utf8)
        record.block = block
        return record.completed()
    }
}
