import AomiArchive
import Foundation
import Recorder
import TestSupport
import Testing
import WARC

/// `record --compact-on-close`: every file the recorder closes (rotation and shutdown) is
/// compacted on the queue's thread, and nothing it recorded is lost.
@Suite struct CompactOnCloseTests {
    @Test func everyClosedFileIsCompactedAndHoldsWhatWasRecorded() async throws {
        let queue = CompactionQueue(compactor: ArchiveCompactor())
        let fixture = try await RecordingFixture.start(rotationBytes: 24 << 10, recorderID: "compact-on-close", compaction: queue)
        defer { fixture.remove() }
        let report = try await fixture.drive(wallets: 2, threads: 2, messages: 2)
        let files = try await fixture.stop()
        let tally = await queue.finish()

        #expect(files.count > 4, "rotation closed files while recording: \(files.count)")
        #expect(tally.compacted == files.count && tally.failed == 0, "\(tally)")
        #expect(tally.bytesAfter < tally.bytesBefore)
        var requests = 0
        for file in files {
            let (stored, damage) = try WARCFileReader.readAll(path: file)
            #expect(damage.isEmpty, "\(damage)")
            let info = try #require(stored.first?.record)
            #expect(CompactionInfo(info) != nil, "\(file) says it is compacted")
            #expect(stored.dropFirst().allSatisfy { $0.positionInBundle != nil })
            requests += stored.filter { $0.record.type == .request }.count
        }
        #expect(requests == report.requests, "every exchange is in the compacted files")
        #expect(ArchiveFiles.openFiles(under: fixture.root).isEmpty)
    }
}
