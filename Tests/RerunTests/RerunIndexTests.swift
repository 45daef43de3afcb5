import ArchiveIndex
import Foundation
import Rerun
import TestSupport
import Testing

/// A rerun indexed beside its original: both are searchable, and each names the other.
@Suite struct RerunIndexTests {
    @Test(.timeLimit(.minutes(10)), arguments: IndexBackend.testable) func theIndexLinksEachRerunToItsOriginal(_ backend: IndexBackend) async throws {
        let fixture = try await RerunFixture.recorded(wallets: 1, threads: 2, messages: 2)
        defer { Task { await fixture.remove() } }
        let location = try await backend.newIndex(in: fixture.root)
        _ = try ArchiveIndexer(database: ArchiveDatabase(location: location), root: fixture.root).run()

        let report = try await fixture.rerun(repeats: 2)
        _ = try ArchiveIndexer(database: ArchiveDatabase(location: location), root: fixture.root).run()

        let queries = ArchiveQueries(database: try ArchiveDatabase.openExisting(location: location))
        for session in report.sessions {
            let original = try queries.transcript(session: session.original)
            let reruns = session.reruns.compactMap(\.rerun)
            #expect(reruns.count == 2 && Set(original.reruns) == Set(reruns), "\(original.reruns) ≠ \(reruns)")
            #expect(original.rerunOf == nil)
            for rerun in reruns {
                let transcript = try queries.transcript(session: rerun)
                #expect(transcript.rerunOf == session.original && transcript.reruns.isEmpty)
                #expect(
                    transcript.entries.filter { $0.kind == .message && $0.label == "user" }.map(\.text)
                        == original.entries.filter { $0.kind == .message && $0.label == "user" }.map(\.text), "\(report.text)\n\(transcript.entries)")
            }
        }
        // Search finds the rerun's messages as it finds the original's.
        for session in report.sessions {
            let message = try #require(session.reruns.first?.turns.first?.message)
            let hits = Set(try queries.search(SearchQuery(text: "\"\(message)\"", sender: .user, limit: 100)).map(\.session))
            #expect(hits.isSuperset(of: [session.original] + session.reruns.compactMap(\.rerun)), "\(hits)")
        }
    }
}
