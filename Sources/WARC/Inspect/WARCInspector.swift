/// Walks a file and describes each record and each damage, for `aomi-archive inspect`.
///
/// Streams: each entry is handed over as it is read, so a file of any size is inspected in
/// constant memory.
public struct WARCInspector: Sendable {
    /// Header fields shown in their own column (for Aomi archives, `Aomi-Session-Id`).
    public var extraFields: [String]

    public init(extraFields: [String] = []) {
        self.extraFields = extraFields
    }

    /// One line of the listing.
    public struct Entry: Sendable, Codable, Equatable {
        public var offset: Int64
        /// Where the record starts in the block of the bundle at `offset` (compacted files).
        public var bundlePosition: Int?
        public var length: Int64
        public var type: String
        public var date: String?
        public var targetURI: String?
        public var recordID: String?
        /// The chosen extra fields that the record has.
        public var fields: [String: String]

        enum CodingKeys: String, CodingKey {
            case offset, length, type, date, fields
            case bundlePosition = "bundle_position"
            case targetURI = "target_uri"
            case recordID = "record_id"
        }
    }

    /// Totals for one file.
    public struct Summary: Sendable, Codable, Equatable {
        public var path: String
        public var records: Int
        public var recordsByType: [String: Int]
        /// Bytes of the file.
        public var storedBytes: Int64
        /// Bytes of record data once inflated.
        public var uncompressedBytes: Int64
        public var damage: [WARCDamage]
        /// Ids of segmented responses (streams) whose last segment is not in this file: still
        /// being written, continued in a later file of the folder, or cut (a crash, a write
        /// that failed): `inspect --repair` ends them.
        public var unfinishedStreams: [String] = []

        enum CodingKeys: String, CodingKey {
            case path, records, damage
            case recordsByType = "records_by_type"
            case storedBytes = "stored_bytes"
            case uncompressedBytes = "uncompressed_bytes"
            case unfinishedStreams = "unfinished_streams"
        }

        /// Uncompressed bytes per stored byte.
        public var compressionRatio: Double {
            storedBytes == 0 ? 0 : Double(uncompressedBytes) / Double(storedBytes)
        }
    }

    public func inspect(path: String, onEntry: (Entry) -> Void, onDamage: (WARCDamage) -> Void = { _ in }) throws(WARCReadError) -> Summary {
        let reader = try WARCFileReader(path: path)
        var summary = Summary(path: path, records: 0, recordsByType: [:], storedBytes: reader.fileSize, uncompressedBytes: 0, damage: [])
        var streams: [String] = []
        var ended: Set<String> = []
        for event in reader {
            switch event {
            case let .record(stored):
                let record = stored.record
                if record.type == .response, record.segmentNumber == 1, let id = record.recordID { streams.append(id) }
                if record.type == .continuation, record.headers.contains(WARCField.segmentTotalLength), let origin = record.headers[WARCField.segmentOriginID] {
                    ended.insert(origin)
                }
                summary.records += 1
                summary.recordsByType[record.type.rawValue, default: 0] += 1
                var fields: [String: String] = [:]
                for name in extraFields {
                    if let value = record.headers[name] { fields[name] = value }
                }
                onEntry(
                    Entry(
                        offset: stored.offset, bundlePosition: stored.positionInBundle, length: stored.length, type: record.type.rawValue, date: record.date,
                        targetURI: record.targetURI, recordID: record.recordID, fields: fields))
            case let .damage(damage):
                summary.damage.append(damage)
                onDamage(damage)
            }
        }
        summary.uncompressedBytes = reader.uncompressedBytes
        summary.unfinishedStreams = streams.filter { !ended.contains($0) }
        return summary
    }
}
