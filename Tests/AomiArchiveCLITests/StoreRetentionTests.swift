import AomiArchive
import Foundation
import ObjectStore
import TestSupport
import Testing
import WARC

/// `forget`, `prune` and `compact` with `--archives s3://…`, against a real S3 endpoint (a
/// Ceph RADOS Gateway the test starts): what goes is gone from every object and from the
/// index, a forget killed between its rewrites and its deletions finishes when run again,
/// compaction replaces objects losslessly, and no temporary copy is left behind.
@Suite(.tags(.objectStore, .slow), .needs(.ceph), .serialized)
struct StoreRetentionTests {
    private static let bucket = "aomi-retention"
    private static let prefix = "team"
    private var store: String { "s3://\(Self.bucket)/\(Self.prefix)" }

    /// Records two wallets (two threads each) with `--store … --keep-local`, stops the
    /// recorder (its backlog goes up at stop) and indexes the kept root into `index`.
    private func recordIntoStore(_ gateway: CephGateway, root: String, index: String) async throws -> [String: Any] {
        let (sim, upstream) = try await BackgroundCommand.startSimulator()
        defer { sim.signal(SIGTERM) }
        let recorder = try BackgroundCommand(
            ["record", "--upstream", upstream, "--listen", "127.0.0.1:0", "--archives", root, "--store", store, "--keep-local"], environment: gateway.environment)
        let url = try await recorder.waitForURL()
        let driven = try await CommandRunner.succeeded([
            "sim", "drive", "--target", url, "--wallets", "2", "--threads", "2", "--messages", "2", "--poll", "10ms", "--json",
        ])
        recorder.signal(SIGTERM)
        #expect(await recorder.wait() == 0, "\(recorder.standardError)")
        _ = try await CommandRunner.succeeded(["index", "--archives", root, "--db", index])
        return try #require(try JSONSerialization.jsonObject(with: Data(driven.standardOutput.utf8)) as? [String: Any])
    }

    /// The archive objects of the store, downloaded into a fresh folder as `<path under the prefix>`.
    private func download(_ client: ObjectStoreClient) async throws -> (folder: String, etags: [String: String]) {
        try await BucketContents.download(client, prefix: Self.prefix + "/")
    }

    /// The ETags of the store's objects, by path under the prefix.
    private func etags(_ client: ObjectStoreClient) async throws -> [String: String] {
        let copy = try await download(client)
        try? FileManager.default.removeItem(atPath: copy.folder)
        return copy.etags
    }

    /// Removes a SQLite index and the files beside it.
    private func removeIndex(_ index: String) {
        for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: index + suffix) }
    }

    /// The ids of the records under `folder` (its files' `warcinfo` aside: a compacted file has a new one), sorted.
    private func recordIDs(under folder: String) throws -> [String] {
        try ArchiveFiles.find(under: folder).flatMap { path in
            try WARCFileReader.readAll(path: path).records.filter { $0.record.type != .warcinfo }.compactMap(\.record.recordID)
        }.sorted()
    }

    private func mirrorsLeft(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix("aomi-archive-mirror-") }
    }

    private func indexHolds(_ text: String, _ index: String) -> Bool {
        [index, index + "-wal"].contains { (try? Data(contentsOf: URL(fileURLWithPath: $0)))?.range(of: Data(text.utf8)) != nil }
    }

    @Test(.timeLimit(.minutes(10)))
    func forgetOnAStoreErasesEverywhereAndFinishesAfterAKillBetweenItsRewritesAndItsDeletions() async throws {
        try await CephGateway.with { gateway in
            let client = try ObjectStoreClient(location: try StoreLocation(store), environment: gateway.environment)
            try await client.createBucket()
            let root = TemporaryDirectory.path("aomi-store-forget")
            let scratch = TemporaryDirectory.path("aomi-store-tmp")
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            defer { for folder in [root, scratch] { try? FileManager.default.removeItem(atPath: folder) } }
            let index = root + "-index.sqlite"
            defer { removeIndex(index) }
            let environment = gateway.environment.merging(["TMPDIR": scratch]) { $1 }
            let driven = try await recordIntoStore(gateway, root: root, index: index)
            let threads = ((driven["threads"] as? [[String: Any]]) ?? [])
            let wallets = Array(Set(threads.compactMap { $0["wallet"] as? String })).sorted()
            try #require(wallets.count == 2)
            let session = try #require(threads.first { $0["wallet"] as? String == wallets[0] }?["session_id"] as? String)
            let before = try await download(client)
            defer { try? FileManager.default.removeItem(atPath: before.folder) }
            #expect(!RootContents.holding(session, under: before.folder).isEmpty)

            // A dry run names the objects and changes none.
            let dry = try await CommandRunner.succeeded(["forget", "--archives", store, "--db", index, "--session", session, "--dry-run"], environment: environment)
            #expect(dry.standardOutput.contains("would rewrite   \(Self.prefix)/\(wallets[0])/"), "\(dry.standardOutput)")
            #expect(try await etags(client) == before.etags)

            // Killed after its first object is put back, before the log: the marker stays.
            let killed = try await CommandRunner.run(
                ["forget", "--archives", store, "--db", index, "--session", session, "--crash-after", "published put"], environment: environment)
            #expect(killed.status != 0 && killed.status != 1, "\(killed.standardOutput) \(killed.standardError)")
            #expect(try await client.list(prefix: Self.prefix + "/.forgetting/").count == 1, "the marker of the forget in progress")
            #expect(mirrorsLeft(in: scratch).count == 1, "the killed forget's copy")
            let finished = try await CommandRunner.succeeded(["forget", "--archives", store, "--db", index, "--session", session], environment: environment)
            #expect(finished.standardOutput.contains("an interrupted forget of it was finished"), "\(finished.standardOutput)")
            #expect(mirrorsLeft(in: scratch).isEmpty, "the dead process's copy is removed by the next one")

            // The wallet, killed once its marker is written.
            let second = try await CommandRunner.run(
                ["forget", "--archives", store, "--db", index, "--wallet", wallets[1], "--crash-after", "marked"], environment: environment)
            #expect(second.status != 0 && second.status != 1, "\(second.standardError)")
            let wallet = try await CommandRunner.succeeded(["forget", "--archives", store, "--db", index, "--wallet", wallets[1], "--json"], environment: environment)
            let summary = try #require(try JSONSerialization.jsonObject(with: Data(wallet.standardOutput.utf8)) as? [String: Any])
            let deleted = summary["filesDeleted"] as? [String] ?? []
            #expect(!deleted.isEmpty && deleted.allSatisfy { $0.hasPrefix("\(Self.prefix)/\(wallets[1])/") }, "\(summary)")
            #expect(summary["resumed"] as? Bool == true)

            // Gone from every object and the index; the rest whole; the log in the store.
            let after = try await download(client)
            defer { try? FileManager.default.removeItem(atPath: after.folder) }
            #expect(RootContents.holding(session, under: after.folder).isEmpty, "\(RootContents.holding(session, under: after.folder))")
            #expect(RootContents.holding(String(wallets[1].dropFirst(2)), under: after.folder).isEmpty)
            #expect(!after.etags.keys.contains { $0.hasPrefix(wallets[1]) }, "no object of the forgotten wallet: \(after.etags.keys.sorted())")
            #expect(!RootContents.holding(String(wallets[0].dropFirst(2)), under: after.folder).isEmpty, "the other wallet stays")
            #expect(!indexHolds(session, index) && !indexHolds(String(wallets[1].dropFirst(2)), index))
            _ = try await CommandRunner.succeeded(["verify", "--archives", after.folder])
            #expect(try await client.list(prefix: Self.prefix + "/.forgetting/").isEmpty, "no forget is left unfinished")
            let log = try await client.list(prefix: Self.prefix + "/.forgotten/")
            #expect(log.count == 2)
            for line in log { #expect(String(decoding: try await client.get(key: line.key), as: UTF8.self).contains("resumed=yes")) }

            // Something the store and the index do not hold: exit 1, nothing changed.
            let unknown = try await CommandRunner.run(["forget", "--archives", store, "--db", index, "--session", "no-such-session"], environment: environment)
            #expect(unknown.status == 1 && unknown.standardError.contains(store), "\(unknown.standardError)")
            #expect(try await etags(client) == after.etags)
            #expect(mirrorsLeft(in: scratch).isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func compactAndPruneOnAStoreReplaceAndDeleteObjects() async throws {
        try await CephGateway.with { gateway in
            let client = try ObjectStoreClient(location: try StoreLocation(store), environment: gateway.environment)
            try await client.createBucket()
            let root = TemporaryDirectory.path("aomi-store-prune")
            defer { try? FileManager.default.removeItem(atPath: root) }
            let index = root + "-index.sqlite"
            defer { removeIndex(index) }
            _ = try await recordIntoStore(gateway, root: root, index: index)
            let before = try await download(client)
            defer { try? FileManager.default.removeItem(atPath: before.folder) }
            let idsBefore = try recordIDs(under: before.folder)

            // A key no local path can stand for: named, not read (exit 1); the rest is compacted.
            let stray = "\(Self.prefix)/0xstray/../../escape.warc.gz"
            try await client.put(key: stray, bytes: Array("not an archive".utf8))
            let compacted = try await CommandRunner.run(["compact", "--archives", store], environment: gateway.environment)
            #expect(compacted.status == 1 && compacted.standardError.contains("s3://\(Self.bucket)/\(stray) is not read"), "\(compacted.standardError)")
            #expect(compacted.standardOutput.contains("\(before.etags.count) objects of \(before.etags.count)"), "\(compacted.standardOutput)")
            try await client.delete(key: stray)
            let after = try await download(client)
            defer { try? FileManager.default.removeItem(atPath: after.folder) }
            #expect(Set(after.etags.keys) == Set(before.etags.keys))
            for path in try ArchiveFiles.find(under: after.folder) {
                let first = try #require(try WARCFileReader.readAll(path: path).records.first?.record)
                #expect(CompactionInfo(first) != nil, "\(path) is compacted")
            }
            #expect(try recordIDs(under: after.folder) == idsBefore, "every record is there once, after as before")
            let again = try await CommandRunner.succeeded(["compact", "--archives", store], environment: gateway.environment)
            #expect(again.standardOutput.contains("0 objects of"), "\(again.standardOutput)")

            // Everything is older than an instant after it: every object goes.
            try await Task.sleep(for: .seconds(1.1))
            let cutoff = WARCDate(Date()).description
            let pruned = try await CommandRunner.succeeded(["prune", "--archives", store, "--db", index, "--before", cutoff], environment: gateway.environment)
            #expect(pruned.standardOutput.contains("deleted   \(Self.prefix)/"), "\(pruned.standardOutput)")
            let left = try await client.list(prefix: Self.prefix + "/").map(\.key)
            #expect(left.allSatisfy { $0.hasPrefix("\(Self.prefix)/.forgotten/") } && left.count == 1, "\(left)")
            let line = String(decoding: try await client.get(key: left[0]), as: UTF8.self)
            #expect(line.contains("prune=older-than") && line.contains("files_deleted=\(before.etags.count)"), "\(line)")
        }
    }
}
