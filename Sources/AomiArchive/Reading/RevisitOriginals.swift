import AomiAPI
import WARC

/// The full responses an archive file holds that a later `revisit` may refer to, with what a
/// recorder needs to recognise the same payload again: the request's method and path, and the
/// payload digest. Stream heads and responses the recorder made itself are left out.
public enum RevisitOriginals {
    /// One full response of a file.
    public struct Entry: Sendable, Equatable {
        public var method: String
        public var path: String
        public var payloadDigest: String
        /// The session of the response (`Aomi-Session-Id`), nil when it named none.
        public var session: String?
        public var original: ExchangeRecords.Original
    }

    /// The full responses of `file`, in file order.
    public static func read(file: String) throws -> [Entry] {
        var methods: [String: String] = [:]
        var entries: [Entry] = []
        for event in try WARCFileReader(path: file) {
            guard case let .record(stored) = event else { continue }
            let record = stored.record
            if record.type == .request, let id = record.recordID, let line = record.block.split(separator: 0x20, maxSplits: 1).first {
                methods[id] = String(decoding: line, as: UTF8.self)
            }
            guard record.type == .response, record.headers[WARCField.segmentNumber] == nil, record.headers[AomiField.upstreamError] == nil,
                let digest = record.headers[WARCField.payloadDigest], let uri = record.targetURI,
                let method = record.headers[WARCField.concurrentTo].flatMap({ methods[$0] }),
                let id = record.recordID, let date = record.date
            else { continue }
            entries.append(
                Entry(
                    method: method, path: QueryString.path(of: QueryString.target(ofURI: uri)), payloadDigest: digest,
                    session: record.headers[AomiField.sessionID], original: ExchangeRecords.Original(recordID: id, date: date, uri: uri)))
        }
        return entries
    }
}
