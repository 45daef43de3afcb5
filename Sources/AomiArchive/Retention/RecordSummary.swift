import Foundation
import WARC

/// What removal needs to know of one stored record without keeping its block: its links to
/// the other records of its exchange, and whether its block names what is being removed.
struct RecordSummary: Sendable {
    var id: String?
    var type: WARCRecordType
    var session: String?
    var wallet: String?
    var concurrentTo: String?
    var segmentOrigin: String?
    var refersTo: String?
    /// When it was written (`WARC-Date`).
    var date: Date?
    /// The block holds the wallet address or one of the session ids being removed.
    var mentionsTarget: Bool
}

/// One archive file as removal sees it: its records in order, the first being its `warcinfo`.
struct FileSummary: Sendable {
    var path: String
    var records: [RecordSummary]
    /// Whether the file is compacted (its records are in bundles).
    var compacted: Bool
    /// The id of the recorder that wrote it, when its name has one.
    var writerID: String?
}
