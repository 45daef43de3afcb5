/// What `WARCFileRepair` did to one file.
public struct WARCRepairReport: Sendable, Codable {
    /// The file as found (often `….warc.gz.open`).
    public var originalPath: String
    /// The file after repair, or nil when nothing intact was left and the file was removed.
    public var repairedPath: String?
    public var intactRecords: Int
    /// Bytes cut from the end: the torn tail after the last complete record.
    public var bytesCut: Int64
    /// Segmented responses (by origin record id) that had no last segment and got one,
    /// marked `WARC-Truncated: disconnect`.
    public var closedSegmentOrigins: [String]
    /// Damage found while reading, including what was cut.
    public var damage: [WARCDamage]

    enum CodingKeys: String, CodingKey {
        case damage
        case originalPath = "original_path"
        case repairedPath = "repaired_path"
        case intactRecords = "intact_records"
        case bytesCut = "bytes_cut"
        case closedSegmentOrigins = "closed_segment_origins"
    }
}
