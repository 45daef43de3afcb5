import Foundation
import WARC

/// What the `warcinfo` record at the start of every file says: which software wrote it, which
/// recorder, in front of which upstream, with which redaction key (so a replay knows whether
/// its key made the archive's tokens), how the records were captured, and anything the
/// command adds (an insecure upstream). One writer sets these keys; every reader uses them.
public struct ArchiveInfo: Sendable {
    public static let softwareKey = "software"
    public static let formatKey = "format"
    public static let recorderIDKey = "recorder-id"
    public static let upstreamKey = "upstream"
    public static let redactionKeyIDKey = "redaction-key-id"
    public static let captureKey = "capture"

    public var upstream: String?
    /// The id of the key that made the archive's HMAC tokens (`RedactionKey.id`).
    public var redactionKeyID: String?
    public var capture: CaptureKind
    /// More `name: value` lines, after the standard ones.
    public var extra: [(String, String)]

    public init(upstream: String? = nil, redactionKeyID: String? = nil, capture: CaptureKind = .proxy, extra: [(String, String)] = []) {
        self.upstream = upstream
        self.redactionKeyID = redactionKeyID
        self.capture = capture
        self.extra = extra
    }

    /// The `warcinfo` block's fields for a file written by `recorderID`.
    public func fields(recorderID: String) -> WARCHeaders {
        var fields = WARCHeaders([(Self.softwareKey, "aomi-archive"), (Self.formatKey, "WARC File Format 1.1"), (Self.recorderIDKey, recorderID)])
        if let upstream { fields.append(Self.upstreamKey, upstream) }
        if let redactionKeyID { fields.append(Self.redactionKeyIDKey, redactionKeyID) }
        if capture != .proxy { fields.append(Self.captureKey, capture.rawValue) }
        for (name, value) in extra { fields.append(name, value) }
        return fields
    }

    /// The values of `key` in a `warcinfo` record's `name: value` lines (names compared
    /// without case), in order.
    public static func values(of key: String, in warcinfo: WARCRecord) -> [String] {
        let prefix = key.lowercased() + ":"
        return String(decoding: warcinfo.block, as: UTF8.self).split(whereSeparator: \.isNewline)
            .filter { $0.lowercased().hasPrefix(prefix) }
            .map { $0.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces) }
    }
}
