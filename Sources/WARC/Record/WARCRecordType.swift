/// The value of a record's `WARC-Type` field.
///
/// The eight types of WARC 1.1 have names here; any other value read from a file is kept
/// as it was written, so an unknown type is never an error.
public struct WARCRecordType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public static let warcinfo = WARCRecordType(rawValue: "warcinfo")
    public static let response = WARCRecordType(rawValue: "response")
    public static let resource = WARCRecordType(rawValue: "resource")
    public static let request = WARCRecordType(rawValue: "request")
    public static let metadata = WARCRecordType(rawValue: "metadata")
    public static let revisit = WARCRecordType(rawValue: "revisit")
    public static let conversion = WARCRecordType(rawValue: "conversion")
    public static let continuation = WARCRecordType(rawValue: "continuation")

    public var description: String { rawValue }
}
