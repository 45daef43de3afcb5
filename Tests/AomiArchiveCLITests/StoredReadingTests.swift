import AomiArchive
import ArchiveIndex
import Foundation
import ObjectStore
import TestSupport
import Testing
import WARC

/// The readers with `--archives s3://…`, against a real S3 endpoint (a Ceph RADOS Gateway the
/// test starts) that a recorder uploaded into: `index` (incremental by object, and from two
/// indexers into one PostgreSQL), `verify`, `replay`, `inspect`, `export` and the browser's
/// pages read what the bucket holds, the same as from the same files on a disk, and fetch no
/// more of it than they need.
@Suite(.tags(.objectStore, .slow), .needs(.ceph), .serialized)
struct StoredReadingTests {
    private static let bucket = "aomi-reading"
    private var store: String { "s3://\(Self.bucket)/team" }

    /// Records two wallets into the store (`--rotate 64KiB`: several objects per wallet); the
    /// root ends empty, everything is in the bucket. Returns the drive's report.
    private func recordIntoStore(_ gateway: CephGateway, wallets: Int = 2) async throws -> [String: Any] {
        let root = TemporaryDirectory.path("aomi-reading-root")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (sim, upstream) = try await BackgroundCommand.startSimulator()
        defer { sim.signal(SIGTERM) }
        let recorder = try BackgroundCommand(
            ["record", "--upstream", upstream, "--listen", "127.0.0.1:0", "--archives", root, "--rotate", "64KiB", "--store", store],
            environment: gateway.environment)
        let url = try await recorder.waitForURL()
        let driven = try await CommandRunner.succeeded([
            "sim", "drive", "--target", url, "--wallets", String(wallets), "--threads", "2", "--messages", "2", "--poll", "10ms", "--json",
        ])
        recorder.signal(SIGTERM)
        #expect(await recorder.wait() == 0, "\(recorder.standardError)")
        #expect(try ArchiveFiles.find(under: root).isEmpty, "everything went up")
        return try #require(try JSONSerialization.jsonObject(with: Data(driven.standardOutput.utf8)) as? [String: Any])
    }

    /// The bucket's objects under `team/`, downloaded into a folder laid out as a root.
    private func download(_ client: ObjectStoreClient) async throws -> String {
        try await BucketContents.download(client, prefix: "team/").folder
    }

    /// The archive copies in a cache folder (links in use aside), by path under the bucket.
    private func cached(in cache: String) -> [String] {
        let bucket = cache + "/" + Self.bucket + "/"
        return (FileManager.default.enumerator(atPath: cache)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".warc.gz") && !$0.hasPrefix(".in-use") }
            .map { String((cache + "/" + $0).dropFirst(bucket.count)) }.sorted()
    }

    private func counts(_ index: String) throws -> [String: Int] {
        var counts = try ArchiveQueries(database: try ArchiveDatabase(location: index)).counts()
        counts["files"] = nil
        return counts
    }

    private func sessions(_ driven: [String: Any]) -> [(session: String, wallet: String)] {
        ((driven["threads"] as? [[String: Any]]) ?? []).compactMap { thread in
            guard let session = thread["session_id"] as? String, let wallet = thread["wallet"] as? String else { return nil }
            return (session, wallet)
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func everyReaderReadsTheBucketAsItReadsTheSameFilesOnADisk() async throws {
        try await CephGateway.with { gateway in
            let client = try ObjectStoreClient(location: try StoreLocation(store), environment: gateway.environment)
            try await client.createBucket()
            let scratch = TemporaryDirectory.path("aomi-reading")
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let environment = gateway.environment.merging(["AOMI_ARCHIVE_CACHE": scratch + "/cache"]) { $1 }
            let driven = try await recordIntoStore(gateway)
            let objects = try await client.list(prefix: "team/")
            try #require(objects.count > 2)

            // Indexed from the bucket, then again: nothing is fetched the second time. A key no
            // local path can stand for is named and not read (exit 1); the rest is indexed.
            let stray = "team/0xstray/../../escape.warc.gz"
            try await client.put(key: stray, bytes: Array("not an archive".utf8))
            let index = scratch + "/store.sqlite"
            let first = try await CommandRunner.run(["index", "--archives", store, "--db", index], environment: environment)
            #expect(first.status == 1 && first.standardError.contains("s3://\(Self.bucket)/\(stray) is not read"), "\(first.standardError)")
            #expect(first.standardOutput.contains("0 unchanged, not fetched; \(objects.count) fetched"), "\(first.standardOutput)")
            try await client.delete(key: stray)
            let second = try await CommandRunner.succeeded(["index", "--archives", store, "--db", index], environment: environment)
            #expect(second.standardOutput.contains("\(objects.count) unchanged, not fetched; 0 fetched"), "\(second.standardOutput)")
            #expect(second.standardOutput.contains("indexed 0 records"), "\(second.standardOutput)")

            // The same as an index of the same files on a disk.
            let copy = try await download(client)
            defer { try? FileManager.default.removeItem(atPath: copy) }
            _ = try await CommandRunner.succeeded(["index", "--archives", copy, "--db", scratch + "/disk.sqlite"])
            #expect(try counts(index) == (try counts(scratch + "/disk.sqlite")))
            #expect(try counts(index)["messages", default: 0] > 0)

            // verify and export from the bucket; one session fetches only its wallet's folder.
            let verified = try await CommandRunner.succeeded(["verify", "--archives", store], environment: environment)
            #expect(verified.standardOutput.contains("no differences"), "\(verified.standardOutput)")
            let (session, wallet) = try #require(sessions(driven).first)
            let narrow = environment.merging(["AOMI_ARCHIVE_CACHE": scratch + "/narrow"]) { $1 }
            let one = try await CommandRunner.succeeded(["verify", "--archives", store, "--db", index, "--session", session], environment: narrow)
            #expect(one.standardOutput.contains("1 sessions") || one.standardOutput.contains("1 session,"), "\(one.standardOutput)")
            let fetched = cached(in: scratch + "/narrow")
            #expect(!fetched.isEmpty && fetched.allSatisfy { $0.hasPrefix("team/\(wallet)/") }, "\(fetched)")
            let exported = scratch + "/one.warc.gz"
            _ = try await CommandRunner.succeeded(["export", "--archives", store, "--db", index, "--session", session, "-o", exported], environment: environment)
            let records = try WARCFileReader.readAll(path: exported).records.map(\.record)
            #expect(records.contains { $0.headers[AomiField.sessionID] == session })

            // inspect an object.
            let key = try #require(objects.first { $0.key.contains(wallet) }?.key)
            let inspected = try await CommandRunner.succeeded(["inspect", "s3://\(Self.bucket)/\(key)"], environment: environment)
            #expect(inspected.standardOutput.hasPrefix("s3://\(Self.bucket)/\(key)\n") && inspected.standardOutput.contains("request"), "\(inspected.standardOutput.prefix(500))")

            // replay one session from the bucket.
            let replay = try BackgroundCommand(
                ["replay", "--archives", store, "--db", index, "--session", session, "--listen", "127.0.0.1:0"], environment: environment)
            _ = try await replay.waitForURL()
            replay.signal(SIGTERM)
            _ = await replay.wait()
            #expect((replay.standardError + replay.standardOutput).contains("serving 1 sessions"), "\(replay.standardError)")

            // The browser: the session's page from the bucket; after a forget in the store, gone.
            let serve = try BackgroundCommand(
                ["serve", "--archives", store, "--db", index, "--listen", "127.0.0.1:0", "--refresh", "1s"], environment: environment)
            let url = try await serve.waitForURL()
            defer { serve.signal(SIGTERM) }
            let page = try await ChildProcess.run("/usr/bin/env", ["curl", "-s", "\(url)/sessions/\(session)?format=json"]).standardOutput
            #expect(page.contains("\"exchanges\"") || page.contains(session), "\(page.prefix(500))")
            let exchange = try await ChildProcess.run("/usr/bin/env", ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "\(url)/sessions/\(session)/exchanges/1"])
            #expect(exchange.standardOutput == "200")
            _ = try await CommandRunner.succeeded(["forget", "--archives", store, "--db", index, "--session", session], environment: environment)
            let gone = try await ChildProcess.run("/usr/bin/env", ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "\(url)/sessions/\(session)"])
            #expect(gone.standardOutput == "404")
            let cache = scratch + "/cache"
            #expect(RootContents.holding(session, under: cache).filter { !$0.hasPrefix(".in-use") }.isEmpty, "the forget dropped its copies from the cache")
            // The browser's links follow at its next refresh (no deadline: the time limit catches one that never does).
            while !RootContents.holding(session, under: cache).isEmpty { try await Task.sleep(for: .milliseconds(200)) }
        }
    }

    @Test(.tags(.postgres), .needs(.postgres), .timeLimit(.minutes(10)))
    func twoIndexersFromTheBucketIntoOnePostgreSQLLoadEveryRecordOnce() async throws {
        try await CephGateway.with { gateway in
            let client = try ObjectStoreClient(location: try StoreLocation(store), environment: gateway.environment)
            try await client.createBucket()
            _ = try await recordIntoStore(gateway, wallets: 3)
            let scratch = TemporaryDirectory.path("aomi-reading-pg")
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let copy = try await download(client)
            defer { try? FileManager.default.removeItem(atPath: copy) }
            _ = try await CommandRunner.succeeded(["index", "--archives", copy, "--db", scratch + "/disk.sqlite"])
            try await PostgresServer.with { server in
                let database = try await server.createDatabase("fromstore")
                // Two machines: two caches, one index.
                let runs = try await withThrowingTaskGroup(of: CommandRunner.Result.self) { group in
                    for name in ["a", "b"] {
                        let environment = gateway.environment.merging(["AOMI_ARCHIVE_CACHE": "\(scratch)/cache-\(name)"]) { $1 }
                        group.addTask { try await CommandRunner.run(["index", "--archives", store, "--db", database], environment: environment) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                for run in runs { #expect(run.status == 0, "\(run.standardError)") }
                #expect(try counts(database) == (try counts(scratch + "/disk.sqlite")), "every record once, as from the disk")
                let again = try await CommandRunner.succeeded(["index", "--archives", store, "--db", database], environment: gateway.environment)
                #expect(again.standardOutput.contains("indexed 0 records") && again.standardOutput.contains("0 fetched"), "\(again.standardOutput)")
            }
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func aCrawlIntoTheStoreDeduplicatesAgainstWhatTheStoreHolds() async throws {
        try await CephGateway.with { gateway in
            let client = try ObjectStoreClient(location: try StoreLocation(store), environment: gateway.environment)
            try await client.createBucket()
            let scratch = TemporaryDirectory.path("aomi-reading-crawl")
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let environment = gateway.environment.merging(["AOMI_ARCHIVE_CACHE": scratch + "/cache"]) { $1 }
            let (sim, upstream) = try await BackgroundCommand.startSimulator()
            defer { sim.signal(SIGTERM) }
            let driven = try await CommandRunner.succeeded([
                "sim", "drive", "--target", upstream, "--wallets", "1", "--threads", "2", "--messages", "2", "--poll", "10ms", "--json",
            ])
            let report = try #require(try JSONSerialization.jsonObject(with: Data(driven.standardOutput.utf8)) as? [String: Any])
            let wallet = try #require(sessions(report).first?.wallet)
            let first = try await CommandRunner.succeeded(["crawl", "--upstream", upstream, "--wallet", wallet, "--archives", store], environment: environment)
            #expect(first.standardOutput.contains(" 0 revisits") && first.standardOutput.contains("uploaded 1 file to \(store)"), "\(first.standardOutput)")
            let second = try await CommandRunner.succeeded(["crawl", "--upstream", upstream, "--wallet", wallet, "--archives", store], environment: environment)
            #expect(!second.standardOutput.contains(" 0 revisits") && second.standardOutput.contains("uploaded 1 file"), "\(second.standardOutput)")
            let objects = try await client.list(prefix: "team/\(wallet)/")
            #expect(objects.count == 2)
            let verified = try await CommandRunner.succeeded(["verify", "--archives", store], environment: environment)
            #expect(verified.standardOutput.contains("no differences"), "\(verified.standardOutput)")
        }
    }
}
