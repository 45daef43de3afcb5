import Foundation
import TestSupport
import Testing

@testable import ArchiveIndex

/// Several indexers loading one PostgreSQL index: they share the files through claims, none
/// reads what another loaded, searches answer while they load, and the claim of an indexer
/// that stopped renewing it (crashed) runs out.
@Suite(.tags(.postgres), .needs(.postgres), .timeLimit(.minutes(10))) struct PostgresIndexerTests {
    /// A recording of several wallets (a file each) and its SQLite index, the reference.
    private func recording() async throws -> (fixture: RecordingFixture, reference: IndexRunReport, referenceRows: [String: [String]]) {
        let recorded = try await RecordingFixture.start(recorderID: "pg-indexers")
        _ = try await recorded.drive(wallets: 6, threads: 1, seed: 11)
        try await recorded.stop()
        let sqlite = try await IndexBackend.sqlite.newIndex(in: recorded.root)
        let reference = try ArchiveIndexer(database: ArchiveDatabase(location: sqlite), root: recorded.root).run()
        return (recorded, reference, try ArchiveIndexTests.dump(sqlite, crossStore: true))
    }

    private func indexer(_ name: String, _ location: String, root: String) throws -> ArchiveIndexer {
        let indexer = try ArchiveIndexer(database: ArchiveDatabase(location: location), root: root)
        indexer.indexerName = name
        return indexer
    }

    @Test func twoIndexersShareTheFilesAndSearchesAnswerWhileTheyLoad() async throws {
        let (recorded, reference, referenceRows) = try await recording()
        defer { recorded.remove() }
        let postgres = try await IndexBackend.postgres.newIndex(in: recorded.root)
        let first = try indexer("first", postgres, root: recorded.root)
        first.batchRecords = 20
        let second = try indexer("second", postgres, root: recorded.root)

        // The first indexer is held after its first batch, with its claims on its first files.
        let (firstRun, release) = await Self.heldAfterItsFirstBatch(first)
        defer { release.signal() }
        let secondReport = try second.run()
        #expect(secondReport.filesRead >= 1, "the second indexer loads the files nobody holds")
        #expect(secondReport.filesLeftToOthers >= 1, "and leaves the files the first one holds to it")
        let queries = ArchiveQueries(database: try ArchiveDatabase.openExisting(location: postgres))
        let during = try queries.counts()["messages"] ?? 0
        let hits = try queries.search(SearchQuery(text: "eth OR swap OR price", limit: 5))
        #expect(during > 0 && !hits.isEmpty, "searches answer during the load")
        release.signal()
        let firstReport = try await firstRun.value()

        #expect(firstReport.filesRead + secondReport.filesRead == reference.filesRead, "every file read by one indexer")
        #expect(firstReport.recordsLoaded + secondReport.recordsLoaded == reference.recordsLoaded, "every record loaded once")
        #expect(try ArchiveIndexTests.dump(postgres, crossStore: true) == referenceRows, "the same rows as one SQLite run")
        let again = try indexer("third", postgres, root: recorded.root).run()
        #expect(again.recordsLoaded == 0 && again.filesRead == 0)
    }

    @Test func aCrashedIndexersClaimRunsOutAndALiveClaimIsLeftAlone() async throws {
        let (recorded, reference, referenceRows) = try await recording()
        defer { recorded.remove() }
        let postgres = try await IndexBackend.postgres.newIndex(in: recorded.root)
        _ = try ArchiveDatabase(location: postgres)
        let files = try ArchiveFile.all(under: recorded.root).filter { $0.size > 0 }
        #expect(files.count >= 3)
        let connection = try PostgresConnection(try #require(PostgresLocation(postgres)))
        let crashed = PostgresFileClaims(connection: connection, indexer: "crashed", lease: .seconds(-1))
        let alive = PostgresFileClaims(connection: connection, indexer: "alive", lease: .seconds(3600))
        #expect(try crashed.claim(files[0].identity().identity))
        #expect(try alive.claim(files[1].identity().identity))

        let run = try indexer("survivor", postgres, root: recorded.root).run()
        #expect(run.filesLeftToOthers == 1, "the live claim is left to its indexer")
        #expect(run.filesRead == reference.filesRead - 1, "the crashed indexer's file is taken over")
        #expect(try crashed.holder(of: files[0].identity().identity) == nil)

        try connection.execute("UPDATE file_claims SET until = clock_timestamp() - interval '1 second' WHERE indexer = 'alive'")
        let after = try indexer("survivor-2", postgres, root: recorded.root).run()
        #expect(after.filesRead == 1 && after.filesLeftToOthers == 0, "once its lease ran out, the file is taken over")
        #expect(run.recordsLoaded + after.recordsLoaded == reference.recordsLoaded)
        #expect(try ArchiveIndexTests.dump(postgres, crossStore: true) == referenceRows)
    }

    /// An indexer held so long that its claims ran out: another one takes its files over and
    /// loads them; the slow one, released, sees that its files moved on and leaves them,
    /// instead of loading their records a second time.
    @Test func aClaimThatRanOutUnderASlowIndexerNeverLoadsAFileTwice() async throws {
        let (recorded, reference, referenceRows) = try await recording()
        defer { recorded.remove() }
        let postgres = try await IndexBackend.postgres.newIndex(in: recorded.root)
        let slow = try indexer("slow", postgres, root: recorded.root)
        slow.batchRecords = 20
        let (slowRun, release) = await Self.heldAfterItsFirstBatch(slow)
        defer { release.signal() }
        let connection = try PostgresConnection(try #require(PostgresLocation(postgres)))
        try connection.execute("UPDATE file_claims SET until = clock_timestamp() - interval '1 second' WHERE indexer = 'slow'")
        let fast = try indexer("fast", postgres, root: recorded.root).run()
        #expect(fast.filesLeftToOthers == 0, "every claim of the slow indexer had run out")
        release.signal()
        let slowReport = try await slowRun.value()
        #expect(slowReport.filesLeftToOthers >= 1, "the slow indexer left the files that moved on under it")
        #expect(slowReport.recordsLoaded + fast.recordsLoaded == reference.recordsLoaded, "every record loaded once")
        #expect(try ArchiveIndexTests.dump(postgres, crossStore: true) == referenceRows)
    }

    /// Starts `indexer` on a thread of its own and returns once it is held after its first
    /// batch (or has ended without one); it goes on when `release` is signalled.
    private static func heldAfterItsFirstBatch(_ indexer: sending ArchiveIndexer) async -> (run: OnItsOwnThread<IndexRunReport>, release: DispatchSemaphore) {
        let held = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let run = OnItsOwnThread { () throws -> IndexRunReport in
            defer { held.signal() }
            var once = true
            return try indexer.run { _ in
                guard once else { return }
                once = false
                held.signal()
                release.wait()
            }
        }
        await wait(held)
        return (run, release)
    }

    /// Waits for `semaphore` on a thread of its own (not one of the tasks' threads).
    static func wait(_ semaphore: DispatchSemaphore) async {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                semaphore.wait()
                continuation.resume()
            }
        }
    }
}

/// Runs a body on a thread of its own, not on one of the few threads tasks share: an indexer
/// held at a gate there would leave the tests that wait for it no thread to go on with.
final class OnItsOwnThread<Value>: @unchecked Sendable {
    /// Only the thread touches `body`; it writes `result` before `done` is signalled, read after.
    private let body: () throws -> Value
    private var result: Result<Value, any Error>?
    private let done = DispatchSemaphore(value: 0)

    init(_ body: sending @escaping () throws -> Value) {
        self.body = body
        Thread { [self] in
            result = Result { try self.body() }
            done.signal()
        }.start()
    }

    func value() async throws -> Value {
        await PostgresIndexerTests.wait(done)
        return try result!.get()
    }
}
