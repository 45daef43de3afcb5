import Foundation
import WARC

/// Writes the records of some sessions into one self-contained `.warc.gz`, for a bug report
/// or a WARC player: requests, responses and streams, one record per gzip member (records of
/// compacted files come out of their bundles), and every revisit whose original is not in the
/// export turned back into a full response holding the payload it refers to. Streams stay
/// segmented as recorded, or with `playable` become whole responses (`WholeStream`), which
/// pywb and replayweb serve.
///
/// A wallet's export also holds the requests that named no session but were filed under the
/// wallet (the thread lists, `GET /api/sessions?public_key=`): everything its folder holds.
public struct WARCExporter: Sendable {
    public let files: [String]
    public let sessions: Set<String>
    /// The wallet whose session-less records are exported too (lower-case `0x…`).
    public let wallet: String?
    public let playable: Bool

    public init(files: [String], sessions: Set<String>, wallet: String? = nil, playable: Bool = false) {
        self.files = files
        self.sessions = sessions
        self.wallet = wallet?.lowercased()
        self.playable = playable
    }

    /// Writes the export to `output`; returns how many records it holds (its `warcinfo` too).
    public func write(to output: String) async throws(ArchiveFileError) -> Int {
        let records = try selectedRecords()
        let folder = (output as NSString).deletingLastPathComponent.isEmpty ? "." : (output as NSString).deletingLastPathComponent
        let staging = (folder as NSString).appendingPathComponent(".aomi-export-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(atPath: staging) }
        do {
            let writer = try WARCWriter(
                configuration: WARCWriterConfiguration(
                    directory: staging, writerID: "export", rotationBytes: .max, fsync: .never,
                    warcinfo: ArchiveInfo(extra: [("exported-sessions", sessions.sorted().joined(separator: " "))]).fields(recorderID: "export"),
                    linksWarcinfo: false))
            _ = try await writer.write(records)
            guard let written = try await writer.close().first else { throw ArchiveFileError.cannotWrite(path: output, reason: "nothing written") }
            try? FileManager.default.removeItem(atPath: output)
            try FileManager.default.moveItem(atPath: written, toPath: output)
        } catch let error as ArchiveFileError {
            throw error
        } catch {
            throw .cannotWrite(path: output, reason: "\(error)")
        }
        return records.count + 1
    }

    /// The selected sessions' records in file order, revisits resolved where needed (once
    /// every file is read: in a compacted file an original may come after its revisit). A
    /// playable export also resolves the revisits of requests other than `GET`: WARC players
    /// look an original up by its URL, and such a revisit's original was often sent to another
    /// URL (`DELETE /api/secrets?client_id=` of another client), so pywb answers it with 503.
    private func selectedRecords() throws(ArchiveFileError) -> [WARCRecord] {
        var originals: [String: WARCRecord] = [:]
        var streams: Set<String> = []
        var getRequests: Set<String> = []
        var records: [WARCRecord] = []
        for file in files {
            let reader: WARCFileReader
            do {
                reader = try WARCFileReader(path: file)
            } catch {
                throw .unreadableArchive(path: file, reason: "\(error)")
            }
            for case let .record(stored) in reader {
                let record = stored.record
                if record.type == .response, record.segmentNumber == nil, let id = record.recordID { originals[id] = record }
                guard isSelected(record, streams: streams) else { continue }
                if record.type == .response, record.segmentNumber == 1, let id = record.recordID { streams.insert(id) }
                if record.type == .request, record.block.starts(with: Self.getLine), let id = record.recordID { getRequests.insert(id) }
                records.append(record)
            }
        }
        let exported = Set(records.compactMap(\.recordID))
        records = records.compactMap { record in
            guard record.type == .revisit, let original = record.headers[WARCField.refersTo] else { return record }
            let answersGet = record.headers[WARCField.concurrentTo].map(getRequests.contains) ?? false
            guard !exported.contains(original) || (playable && !answersGet) else { return record }
            return Self.resolve(record, original: originals[original])
        }
        return playable ? Self.wholeStreams(records) : records
    }

    private static let getLine = Array("GET ".utf8)

    /// A record of a selected session, of a stream one of them opened, or, in a wallet's
    /// export, one filed under the wallet without a session.
    private func isSelected(_ record: WARCRecord, streams: Set<String>) -> Bool {
        if let session = record.headers[AomiField.sessionID] { return sessions.contains(session) }
        if record.type == .continuation { return record.headers[WARCField.segmentOriginID].map(streams.contains) == true }
        guard let wallet, record.type != .warcinfo else { return false }
        return record.headers[AomiField.wallet]?.lowercased() == wallet
    }

    /// The records with each segmented stream as a whole response and its event list, where
    /// its first segment was.
    private static func wholeStreams(_ records: [WARCRecord]) -> [WARCRecord] {
        var continuations: [String: [WARCRecord]] = [:]
        for record in records where record.type == .continuation {
            if let origin = record.headers[WARCField.segmentOriginID] { continuations[origin, default: []].append(record) }
        }
        return records.flatMap { record -> [WARCRecord] in
            if record.type == .continuation { return [] }
            guard record.type == .response, record.segmentNumber == 1, let id = record.recordID else { return [record] }
            let parts = (continuations[id] ?? []).sorted { ($0.segmentNumber ?? 0) < ($1.segmentNumber ?? 0) }
            let whole = WholeStream.records(origin: record, continuations: parts)
            return [whole.response, whole.metadata]
        }
    }

    /// A revisit turned into the full response it stands for.
    private static func resolve(_ revisit: WARCRecord, original: WARCRecord?) -> WARCRecord? {
        guard let original, let payload = original.httpPayload, let head = revisit.httpHeadLength else { return nil }
        var record = revisit
        record.headers.set(WARCField.type, WARCRecordType.response.rawValue)
        for field in [WARCField.profile, WARCField.refersTo, WARCField.refersToTargetURI, WARCField.refersToDate, WARCField.blockDigest] {
            record.headers.remove(field)
        }
        record.block = Array(revisit.block[..<head]) + payload
        return record
    }
}
