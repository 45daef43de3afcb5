import AomiArchive
import Foundation
import Replayer
import TestSupport
import Testing
import WARC

/// A compacted archive replays exactly as the files it replaced: same exchanges, bodies, SSE
/// events with their recorded arrival times, and `verify` finds no difference.
@Suite("replay from compacted files")
struct CompactedReplayTests {
    @Test("the sessions read from compacted files equal the originals, record for record, with SSE timing")
    func compactedArchiveReplaysTheSame() async throws {
        let recording = try await RecordedReplay.record(wallets: 2, threads: 2, messages: 3)
        defer { recording.remove() }
        let files = try RecordedArchive.archiveFiles(under: recording.root)
        // Large bodies are read from their records on first use: read them before the files change.
        let bodiesBefore = recording.archive.sessions.flatMap { $0.exchanges.map(\.answer.head.body) }
        let results = try ArchiveCompactor(bundleBytes: 16 << 10).compactAll(under: recording.root)
        let reports = try results.map { try $0.get() }
        #expect(reports.allSatisfy { !$0.alreadyCompacted && $0.bytesAfter < $0.bytesBefore }, "\(reports)")
        #expect(reports.contains { $0.bundles > 2 }, "16 KiB bundles split a session: \(reports)")

        let compacted = try RecordedArchive.load(files: files)
        #expect(compacted.problems.isEmpty, "\(compacted.problems)")
        #expect(compacted.sessions.map(\.id) == recording.archive.sessions.map(\.id))
        #expect(compacted.sessions.flatMap { $0.exchanges.map(\.answer.head.body) } == bodiesBefore)
        var streams = 0
        var largeBodies = 0
        for (before, after) in zip(recording.archive.sessions, compacted.sessions) {
            #expect(before.exchanges.count == after.exchanges.count)
            for (old, new) in zip(before.exchanges, after.exchanges) {
                #expect(old.request.target == new.request.target && old.request.body == new.request.body && old.request.date == new.request.date)
                #expect(new.request.location.positionInBundle != nil, "every record now sits in a bundle")
                #expect(old.answer.head.status == new.answer.head.status)
                #expect(old.answer.head.payloadDigest == new.answer.head.payloadDigest)
                if old.answer.head.payload.count > 1024 { largeBodies += 1 }
                if case let .stream(oldStream) = old.answer, case let .stream(newStream) = new.answer {
                    streams += 1
                    #expect(oldStream.events == newStream.events, "events and their arrival times")
                    #expect(oldStream.end == newStream.end)
                }
            }
        }
        #expect(streams >= 4)
        #expect(largeBodies > 0, "bodies read lazily from inside a bundle")
        let report = try await ReplayVerifier(archive: compacted).run()
        #expect(report.passed, "\(report.differences)")
    }
}
