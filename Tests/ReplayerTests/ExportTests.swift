import AomiAPI
import AomiArchive
import ArchiveIndex
import Foundation
import Replayer
import TestSupport
import Testing
import WARC

/// `export`: a self-contained WARC of one session, and a HAR 1.2 file.
@Suite("export")
struct ExportTests {
    @Test("one session exports to a .warc.gz that needs no other file: revisits of other sessions' answers are resolved")
    func warcExportIsSelfContained() async throws {
        let recording = try await RecordedReplay.record(wallets: 1, threads: 2, messages: 2)
        defer { recording.remove() }
        let files = try RecordedArchive.archiveFiles(under: recording.root)
        let crossSession = try files.flatMap { try WARCFileReader.readAll(path: $0).records }.filter { $0.record.type == .revisit }
        try #require(!crossSession.isEmpty, "the recording holds revisits")
        let session = try #require(recording.archive.sessions.last { !$0.id.isEmpty })
        let output = recording.root + "/export/one-session.warc.gz"
        try FileManager.default.createDirectory(atPath: recording.root + "/export", withIntermediateDirectories: true)
        let written = try await WARCExporter(files: files, sessions: [session.id]).write(to: output)

        let exported = try RecordedArchive.load(files: [output])
        #expect(exported.problems.isEmpty, "\(exported.problems)")
        #expect(exported.sessions.map(\.id) == [session.id])
        #expect(exported.sessions.first?.exchanges.count == session.exchanges.count)
        #expect(written > session.exchanges.count * 2)
        let report = try await ReplayVerifier(archive: exported).run()
        #expect(report.passed, "\(report.differences)")
        let check = try await Warcio.run(["check", output])
        #expect(check.status == 0, "\(check.output)")
    }

    @Test("a playable export holds each stream as one response and its event list, and replays and indexes with the recorded event times")
    func playableExportKeepsStreamTiming() async throws {
        let recording = try await RecordedReplay.record(wallets: 1, threads: 2, messages: 2)
        defer { recording.remove() }
        let files = try RecordedArchive.archiveFiles(under: recording.root)
        let exports = TemporaryDirectory("aomi-playable-export")
        let output = exports.file("playable.warc.gz")
        let sessions = Set(recording.archive.sessions.map(\.id))
        _ = try await WARCExporter(files: files, sessions: sessions, playable: true).write(to: output)
        let records = try WARCFileReader.readAll(path: output).records.map(\.record)
        #expect(!records.contains { $0.type == .continuation || $0.segmentNumber != nil })
        let lists = records.filter(WholeStream.isEventList)
        #expect(lists.count >= 2)
        #expect(try await Warcio.run(["check", output]).status == 0)

        let exported = try RecordedArchive.load(files: [output])
        #expect(exported.problems.isEmpty, "\(exported.problems)")
        func streams(_ archive: RecordedArchive) -> [String: RecordedStream] {
            var found: [String: RecordedStream] = [:]
            for exchange in archive.sessions.flatMap(\.exchanges) {
                if case let .stream(stream) = exchange.answer { found[exchange.session + " \(exchange.sequence)"] = stream }
            }
            return found
        }
        let before = streams(recording.archive)
        let after = streams(exported)
        #expect(after.count == before.count && after.count == lists.count)
        for (key, stream) in before {
            #expect(after[key]?.events == stream.events, "\(key): the same events with the same arrival times")
            #expect(after[key]?.end == stream.end)
        }
        let report = try await ReplayVerifier(archive: exported).run()
        #expect(report.passed, "\(report.differences)")

        // The index reads the whole streams as the replay does: the same events, at the same times.
        let recordedEvents = try Self.indexedStreamEvents(root: recording.root, sessions: sessions)
        let exportedEvents = try Self.indexedStreamEvents(root: exports.path, sessions: sessions)
        #expect(!recordedEvents.isEmpty)
        #expect(exportedEvents == recordedEvents)
    }

    /// Each session's SSE events as the index holds them (time, type, data), from a new index of `root`.
    private static func indexedStreamEvents(root: String, sessions: Set<String>) throws -> [String: [Transcript.Entry]] {
        let database = try ArchiveDatabase(location: root + "/.index.sqlite")
        _ = try ArchiveIndexer(database: database, root: root).run()
        let queries = ArchiveQueries(database: database)
        var events: [String: [Transcript.Entry]] = [:]
        for session in sessions where !session.isEmpty {
            events[session] = try queries.transcript(session: session).entries.filter { $0.kind == .event }
        }
        return events
    }

    @Test("a HAR export has one entry per exchange with recorded timings, and SSE bodies as text")
    func harExport() async throws {
        let recording = try await RecordedReplay.record(wallets: 1, threads: 1, messages: 2)
        defer { recording.remove() }
        let session = try #require(recording.archive.sessions.first)
        let har = try JSONCoding.decode(JSONValue.self, from: HARExporter(sessions: recording.archive.sessions).document())
        #expect(har["log"]?["version"] == .string("1.2"))
        guard case let .array(entries)? = har["log"]?["entries"] else {
            Issue.record("no entries")
            return
        }
        #expect(entries.count == recording.archive.sessions.reduce(0) { $0 + $1.exchanges.count })
        #expect(session.exchanges.count > 10)
        let updates = entries.filter { $0["request"]?["url"]?.stringValue?.hasSuffix("/api/updates") == true }
        #expect(!updates.isEmpty)
        #expect(updates.contains { $0["response"]?["content"]?["text"]?.stringValue?.contains("title_changed") == true })
        #expect(
            entries.allSatisfy { entry in
                guard case let .number(wait)? = entry["timings"]?["wait"] else { return false }
                return wait >= 0 && entry["startedDateTime"]?.stringValue?.hasSuffix("Z") == true
            })
        let chat = entries.first { $0["request"]?["method"] == .string("POST") && $0["request"]?["url"]?.stringValue?.contains("/api/chat") == true }
        guard case let .array(query)? = chat?["request"]?["queryString"] else {
            Issue.record("no chat entry with its query")
            return
        }
        #expect(query.contains { $0["name"] == .string("message") })
    }
}
