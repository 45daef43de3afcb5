/// Damage found in an archive file: where, how many bytes it spans, and why.
///
/// The reader reports damage and goes on with the next intact record where there is one.
public struct WARCDamage: Error, Sendable, Equatable, CustomStringConvertible, Codable {
    /// What kind of damage was found.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// The file holds no bytes at all.
        case emptyFile = "empty-file"
        /// The file is neither gzip nor a WARC file.
        case notWARC = "not-warc"
        /// The file ends in the middle of a gzip member (a torn last write).
        case truncatedMember = "truncated-member"
        /// A gzip member does not inflate (bad data, bad CRC).
        case corruptMember = "corrupt-member"
        /// Bytes that are neither a gzip member nor a WARC record.
        case garbage = "garbage"
        /// A record's header block is longer than the reader accepts.
        case headerTooLong = "header-too-long"
        /// A record's header block cannot be parsed.
        case malformedHeader = "malformed-header"
        /// The data ends before the record's `Content-Length` bytes and its end marker.
        case truncatedRecord = "truncated-record"
        /// A record is larger than the reader accepts.
        case recordTooLarge = "record-too-large"
    }

    public var file: String
    /// Byte offset in the file where the damage starts.
    public var offset: Int64
    /// Bytes skipped because of it (to the next intact record or the end of the file).
    public var length: Int64
    public var kind: Kind
    public var reason: String

    public init(file: String, offset: Int64, length: Int64, kind: Kind, reason: String) {
        self.file = file
        self.offset = offset
        self.length = length
        self.kind = kind
        self.reason = reason
    }

    public var description: String {
        "\(file): offset \(offset): \(kind.rawValue): \(reason) (\(length) bytes skipped)"
    }
}
