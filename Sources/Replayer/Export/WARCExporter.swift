import AomiArchive
import Foundation
import WARC

/// Writes the records of some sessions into one self-contained `.warc.gz`, for a bug report:
/// requests, responses and stream segments as recorded, and every revisit whose original is
/// not in the export turned back into a full response holding the payload it refers to.
public struct WARCExporter: Sendable {
    public let files: [String]
    public let sessions: Set<String>

    public init(files: [String], sessions: Set<String>) {
        self.files = files
        self.sessions = sessions
    }

    /// Writes the export to `output`; returns how many records it holds (its `warcinfo` too).
    public func write(to output: String) async throws(ReplayerError) -> Int {
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
            guard let written = try await writer.close().first else { throw ReplayerError.cannotWrite(path: output, reason: "nothing written") }
            try? FileManager.default.removeItem(atPath: output)
            try FileManager.default.moveItem(atPath: written, toPath: output)
        } catch let error as ReplayerError {
            throw error
        } catch {
            throw .cannotWrite(path: output, reason: "\(error)")
        }
        return records.count + 1
    }

    /// The selected sessions' records in file order, revisits resolved where needed.
    private func selectedRecords() throws(ReplayerError) -> [WARCRecord] {
        var originals: [String: WARCRecord] = [:]
        var exported: Set<String> = []
        var streams: Set<String> = []
        var records: [WARCRecord] = []
        for file in files {
            let reader: WARCFileReader
            do {
                reader = try WARCFileReader(path: file)
            } catch {
                throw .unreadableArchive(path: file, reason: "\(error)")
            }
            for case let .record(stored) in reader {
                var record = stored.record
                if record.type == .response, record.segmentNumber == nil, let id = record.recordID { originals[id] = record }
                let selected =
                    record.headers[AomiField.sessionID].map(sessions.contains)
                    ?? (record.type == .continuation && record.headers[WARCField.segmentOriginID].map(streams.contains) == true)
                guard selected else { continue }
                if record.type == .response, record.segmentNumber == 1, let id = record.recordID { streams.insert(id) }
                if record.type == .revisit, let original = record.headers[WARCField.refersTo], !exported.contains(original) {
                    guard let resolved = Self.resolve(record, original: originals[original]) else { continue }
                    record = resolved
                }
                if let id = record.recordID { exported.insert(id) }
                records.append(record)
            }
        }
        return records
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
