import ArchiveIndex
import Foundation
import GRDB
import Synchronization
import TestSupport
import Testing

/// The PostgreSQL index's foundation against a real server (a throwaway cluster): versioned
/// migrations applied once however many indexers start together, the documented views with
/// the columns SQLite's have, and file claims that share the files among indexers.
@Suite(.serialized, .tags(.postgres), .needs(.postgres)) struct PostgresSchemaTests {
    private func connect(_ url: String) throws -> PostgresConnection {
        try PostgresConnection(try #require(PostgresLocation(url)))
    }

    /// The columns of a view of a fresh `index.sqlite`.
    private func sqliteColumns(of view: String) throws -> [String] {
        let path = TemporaryDirectory.path("aomi-views") + ".sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        _ = try ArchiveDatabase(path: path)
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in try Row.fetchAll(db, sql: "PRAGMA table_info(\(view))").map { $0["name"] as String } }
    }

    @Test(.timeLimit(.minutes(10))) func migrationsRunOnceEvenWhenIndexersStartTogether() async throws {
        try await PostgresServer.with { server in try await checkMigrations(at: try await server.createDatabase("migrations")) }
    }

    private func checkMigrations(at url: String) async throws {
        let applied = Mutex<[Int]>([])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do {
                let versions = try PostgresSchema.migrate(try connect(url))
                applied.withLock { $0 += versions }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
        #expect(applied.withLock { $0 } == PostgresSchema.migrations.map(\.version), "each migration ran once among four starting indexers")

        let connection = try connect(url)
        #expect(try PostgresSchema.migrate(connection).isEmpty, "an up-to-date database is left as it is")
        let recorded = try connection.execute("SELECT version FROM schema_migrations ORDER BY version").firstColumn.compactMap { $0.flatMap(Int.init) }
        #expect(recorded == PostgresSchema.migrations.map(\.version))
        for view in ["exchanges", "chat_messages"] {
            let columns = try connection.execute("SELECT * FROM \(view) LIMIT 0").columns
            #expect(columns == (try sqliteColumns(of: view)), "\(view) has SQLite's columns, in order")
        }

        try connection.execute("INSERT INTO schema_migrations (version, name) VALUES (999, 'from the future')")
        #expect(throws: IndexError.self) { try PostgresSchema.migrate(connection) }
        do {
            try PostgresSchema.migrate(connection)
        } catch {
            #expect("\(error)".contains("newer aomi-archive"), "\(error)")
        }
    }

    @Test(.timeLimit(.minutes(10))) func claimsGiveEachFileToOneIndexerAndRunOut() async throws {
        try await PostgresServer.with { server in try await checkClaims(at: try await server.createDatabase("claims")) }
    }

    private func checkClaims(at url: String) async throws {
        try PostgresSchema.migrate(try connect(url))
        let paths = (0..<200).map { "/archives/0xwallet/file-\($0).warc.gz" }

        let won = Mutex<[String: [String]]>([:])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            do {
                let claims = PostgresFileClaims(connection: try connect(url), indexer: "indexer-\(index)")
                for path in paths where try claims.claim(path) {
                    won.withLock { $0[claims.indexer, default: []].append(path) }
                }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
        let claimed = won.withLock { $0 }.values.flatMap { $0 }
        #expect(claimed.sorted() == paths.sorted(), "every file is claimed by exactly one indexer")

        let first = PostgresFileClaims(connection: try connect(url), indexer: "first")
        let second = PostgresFileClaims(connection: try connect(url), indexer: "second")
        let file = "/archives/0xwallet/shared.warc.gz"
        #expect(try first.claim(file))
        #expect(try first.claim(file), "the holder renews its own claim")
        #expect(try !second.claim(file), "a running claim is not taken")
        #expect(try second.holder(of: file) == "first")
        // The first indexer crashes; its lease runs out (the test moves it into the past).
        try first.connection.execute("UPDATE file_claims SET until = clock_timestamp() - interval '1 second' WHERE file = $1", [file])
        #expect(try first.holder(of: file) == nil)
        #expect(try second.claim(file), "a claim that ran out is taken over")
        try first.release(file)
        #expect(try second.holder(of: file) == "second", "only the holder's release counts")
        try second.release(file)
        #expect(try second.holder(of: file) == nil)
    }

    @Test(.timeLimit(.minutes(10))) func copyLoadsEveryValueAsItWas() async throws {
        try await PostgresServer.with { server in
            let connection = try connect(try await server.createDatabase("copy"))
            try connection.execute("CREATE TABLE t (n bigint, a text, b text)")
            let hostile = ["tab\there", "line\nbreak\r\n", "back\\slash \\N \\t", "\\N", "", "Café 中文 🙂", "a'b\"c", "end\\"]
            let rows: [[String?]] = (0..<5_000).map { number in
                [String(number), hostile[number % hostile.count], number % 3 == 0 ? nil : "\(number)\t\(hostile[(number + 1) % hostile.count])"]
            }
            #expect(try connection.copy(into: "t", columns: ["n", "a", "b"], rows: rows) == rows.count)
            let back = try connection.execute("SELECT n, a, b FROM t ORDER BY n")
            #expect(back.rows == rows, "every value, NULL and empty string included, reads back as sent")

            #expect(throws: IndexError.self) { try connection.copy(into: "t", columns: ["n", "a", "b"], rows: [["1", "nul\u{0}inside", nil]]) }
            #expect(throws: IndexError.self) { try connection.copy(into: "t; DROP TABLE t", columns: ["n"], rows: [["1"]]) }
            #expect(throws: IndexError.self) { try connection.copy(into: "t", columns: ["n", "a", "b"], rows: [["not a number", "x", "y"]]) }
            #expect(try connection.execute("SELECT count(*) AS n FROM t").value("n", row: 0) == "5000", "a refused COPY loads nothing")
            #expect(try connection.execute("SELECT 1 AS one").value("one", row: 0) == "1", "the connection is usable after a failed COPY")
        }
    }

    @Test func aPasswordNeverReachesAnError() throws {
        let location = try #require(PostgresLocation("postgres://aomi:hunter2-secret@127.0.0.1:1/index?connect_timeout=5"))
        #expect(location.description == "postgres://aomi:***@127.0.0.1:1/index?connect_timeout=5")
        #expect(PostgresLocation("/var/lib/index.sqlite") == nil)
        do {
            _ = try PostgresConnection(location)
            Issue.record("nothing listens on port 1")
        } catch {
            #expect(!"\(error)".contains("hunter2"), "\(error)")
            #expect("\(error)".contains("cannot connect"), "\(error)")
        }
    }
}
