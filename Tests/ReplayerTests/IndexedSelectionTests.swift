import AomiArchive
import ArchiveIndex
import Foundation
import Replayer
import TestSupport
import Testing

/// `replay --session` reads only the folders the index places the sessions in, from either
/// store.
@Suite(.timeLimit(.minutes(10))) struct IndexedSelectionTests {
    @Test(arguments: IndexBackend.testable) func aSessionsReplayReadsOnlyItsWalletsFolder(_ backend: IndexBackend) async throws {
        let recorded = try await RecordingFixture.start(recorderID: "indexed-selection")
        defer { recorded.remove() }
        let report = try await recorded.drive(wallets: 2, threads: 1, seed: 5)
        try await recorded.stop()
        let index = try await backend.newIndex(in: recorded.root)
        _ = try ArchiveIndexer(database: ArchiveDatabase(location: index), root: recorded.root).run()
        let all = try RecordedArchive.archiveFiles(under: recorded.root)
        for thread in report.threads {
            let selected = try RecordedArchive.archiveFiles(under: recorded.root, selection: SessionSelection(sessions: [thread.sessionID]), index: index)
            #expect(!selected.isEmpty && selected.count < all.count, "\(selected)")
            #expect(selected.allSatisfy { $0.lowercased().contains("/\(thread.wallet.lowercased())/") }, "\(selected)")
        }
        let unknown = try RecordedArchive.archiveFiles(under: recorded.root, selection: SessionSelection(sessions: ["no-such-session"]), index: index)
        #expect(unknown == all, "a session the index does not know: every file is read")
    }
}
