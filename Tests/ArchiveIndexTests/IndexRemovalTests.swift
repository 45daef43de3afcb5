import AomiAPI
import Foundation
import GRDB
import TestSupport
import Testing

@testable import ArchiveIndex

/// `ArchiveDatabase.remove` on SQLite when another connection still reads an older snapshot:
/// the removed bytes cannot leave the database file while it does, and the removal says so.
@Suite struct IndexRemovalTests {
    @Test("a reader holding an older snapshot makes the removal an error naming the log; once it is gone, a removal leaves no byte behind", .timeLimit(.minutes(10)))
    func aHeldSnapshotIsAnErrorNotASilentSuccess() async throws {
        let recorded = ArchiveBuilder()
        defer { recorded.remove() }
        let session = "forgotten-7f3e9a1c"
        let snapshot = SessionSnapshot(messages: [ChatMessage(sender: "user", content: "a message to forget")])
        try await recorded.json(session: session, wallet: "0xcbd68b388f50bf5f10ec0629199b0ea3a0922f9f", "GET", "/api/state", snapshot)
        try await recorded.close()
        let path = recorded.root + "/index.sqlite"
        let database = try ArchiveDatabase(location: path)
        _ = try ArchiveIndexer(database: database, root: recorded.root).run()
        // Another process's search, in the middle of its read transaction.
        var readerConfiguration = Configuration()
        readerConfiguration.allowsUnsafeTransactions = true
        let reader = try DatabaseQueue(path: path, configuration: readerConfiguration)
        try reader.inDatabase { db in
            try db.execute(sql: "BEGIN")
            _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM messages")
        }
        #expect {
            try database.remove(sessions: [session], wallet: nil, files: [])
        } throws: { error in
            "\(error)".contains("write-ahead log could not be emptied")
        }
        try reader.inDatabase { db in try db.execute(sql: "ROLLBACK") }
        try reader.close()
        _ = try database.remove(sessions: [session], wallet: nil, files: [])
        let file = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(file.range(of: Data(session.utf8)) == nil)
        #expect(((try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data()).isEmpty)
    }
}
