import AomiArchive
import Foundation
import TestSupport
import Testing
import WARC

/// `compact`: a recorded root rewritten into bundles loses nothing (every record's fields,
/// block and digests, `verify`, warcio), the index follows it without reading anything twice,
/// and a compaction killed at any stage leaves every file whole.
@Suite struct CompactCommandTests {
    /// A recorded root: two wallets, two threads each, closed files.
    private func recordedRoot(_ label: String) async throws -> (root: String, wallets: [String], sessions: [String]) {
        let fixture = try await RecordingFixture.start(recorderID: label)
        let report = try await fixture.drive(wallets: 2, threads: 2, messages: 3)
        try await fixture.stop()
        return (fixture.root, Array(Set(report.threads.map(\.wallet))).sorted(), report.threads.map(\.sessionID))
    }

    /// Every record under `root` as our reader gives it, keyed by record id.
    private func records(under root: String) throws -> [String: WARCRecord] {
        var found: [String: WARCRecord] = [:]
        for file in try ArchiveFiles.find(under: root) {
            let (stored, damage) = try WARCFileReader.readAll(path: file)
            #expect(damage.isEmpty, "\(damage)")
            for record in stored.map(\.record) where record.type != .warcinfo { found[record.recordID ?? "?"] = record }
        }
        return found
    }

    private func views(_ root: String, wallets: [String], sessions: [String], db: String? = nil) async throws -> [String] {
        let location = ["--archives", root] + (db.map { ["--db", $0] } ?? [])
        var outputs: [String] = []
        for wallet in wallets { outputs.append(try await CommandRunner.succeeded(["threads", "--wallet", wallet, "--json"] + location).standardOutput) }
        for session in sessions { outputs.append(try await CommandRunner.succeeded(["show", session, "--json"] + location).standardOutput) }
        for query in ["ETH", "swap OR staking", "from:user price"] { outputs.append(try await CommandRunner.succeeded(["search", query, "--json"] + location).standardOutput) }
        return outputs
    }

    @Test(.tags(.slow), .notInFastLoop, .timeLimit(.minutes(10)))
    func compactionLosesNothingAndTheIndexFollowsIt() async throws {
        let (root, wallets, sessions) = try await recordedRoot("compact")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let before = try records(under: root)
        let sizeBefore = try ArchiveFiles.find(under: root).reduce(0) { $0 + (try FileManager.default.attributesOfItem(atPath: $1)[.size] as! Int) }
        _ = try await CommandRunner.succeeded(["index", "--archives", root])
        let viewsBefore = try await views(root, wallets: wallets, sessions: sessions)

        let compacted = try await CommandRunner.succeeded(["compact", "--archives", root])
        #expect(compacted.standardOutput.contains(" bundle"), "\(compacted.standardOutput)")
        let files = try ArchiveFiles.find(under: root)
        let sizeAfter = try files.reduce(0) { $0 + (try FileManager.default.attributesOfItem(atPath: $1)[.size] as! Int) }
        #expect(sizeAfter * 4 < sizeBefore, "\(sizeBefore) → \(sizeAfter) bytes")

        // A wallet's two small sessions share a bundle (one deflate window), and each session's
        // records stay together in the file.
        var sharedBundles = 0
        for file in files {
            let (stored, _) = try WARCFileReader.readAll(path: file)
            var sessionsByBundle: [Int64: Set<String>] = [:]
            var runs: [String] = []
            for record in stored where record.record.type != .warcinfo {
                let session = record.record.headers[AomiField.sessionID] ?? ""
                sessionsByBundle[record.offset, default: []].insert(session)
                if runs.last != session { runs.append(session) }
            }
            #expect(Set(runs).count == runs.count, "each session's records are together in \(file): \(runs)")
            sharedBundles += sessionsByBundle.values.filter { $0.count > 1 }.count
        }
        #expect(sharedBundles > 0, "small sessions share bundles")

        let after = try records(under: root)
        #expect(after.count == before.count)
        for (id, record) in before {
            let moved = try #require(after[id], "record \(id) is in the compacted files")
            #expect(moved.block == record.block)
            #expect(moved.headers[WARCField.blockDigest] == record.headers[WARCField.blockDigest])
            #expect(moved.headers[WARCField.payloadDigest] == record.headers[WARCField.payloadDigest])
            #expect(moved.headers.fields.filter { $0.name != WARCField.contentLength } == record.headers.fields.filter { $0.name != WARCField.contentLength })
        }
        for file in files {
            let check = try await Warcio.run(["check", "-v", file])
            #expect(check.status == 0, "\(check.output)")
            let index = try await Warcio.run(["index", "-f", "warc-type,content-type", file])
            let types = index.output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
            #expect(types.first?["warc-type"] == "warcinfo")
            #expect(types.dropFirst().allSatisfy { $0["warc-type"] == "resource" && $0["content-type"] == WARCBundle.contentType }, "\(types)")
        }

        let reindexed = try await CommandRunner.succeeded(["index", "--archives", root])
        #expect(reindexed.standardOutput.contains("moved \(before.count) compacted records"), "\(reindexed.standardOutput)")
        #expect(reindexed.standardOutput.hasPrefix("indexed \(files.count) records (0 new or changed messages, 0 events)"), "only each new warcinfo is new")
        #expect(try await views(root, wallets: wallets, sessions: sessions) == viewsBefore)
        let fresh = root + "/fresh.sqlite"
        _ = try await CommandRunner.succeeded(["index", "--archives", root, "--db", fresh])
        #expect(try await views(root, wallets: wallets, sessions: sessions, db: fresh) == viewsBefore)

        let verified = try await CommandRunner.succeeded(["verify", "--archives", root])
        #expect(verified.standardOutput.contains("no differences"), "\(verified.standardOutput)")

        let modified = try files.map { try FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as! Date }
        let again = try await CommandRunner.succeeded(["compact", "--archives", root])
        #expect(again.standardOutput.split(separator: "\n").allSatisfy { $0.hasSuffix("already compacted") }, "\(again.standardOutput)")
        #expect(try files.map { try FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as! Date } == modified)
    }

    @Test(.tags(.slow), .notInFastLoop, .timeLimit(.minutes(10)), arguments: ArchiveCompactor.Stage.allCases)
    func aCompactionKilledAfterAnyStageLeavesTheFileWhole(stage: ArchiveCompactor.Stage) async throws {
        let (root, wallets, sessions) = try await recordedRoot("crash-\(stage.rawValue)")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let before = try records(under: root)
        _ = try await CommandRunner.succeeded(["index", "--archives", root])
        let viewsBefore = try await views(root, wallets: wallets, sessions: sessions)
        let file = try #require(try ArchiveFiles.find(under: root).first { !$0.contains(ArchiveFiles.unboundFolder) })
        let original = try Data(contentsOf: URL(fileURLWithPath: file))

        let killed = try await CommandRunner.run(["compact", "--crash-after", stage.rawValue, file])
        #expect(killed.status != 0, "the command was killed after \(stage.rawValue)")
        let now = try Data(contentsOf: URL(fileURLWithPath: file))
        let leftover = file + WARCReplacementFile.suffix
        switch stage {
        case .written, .synced:
            #expect(now == original, "the file is untouched until the rename")
            #expect(FileManager.default.fileExists(atPath: leftover))
        case .renamed:
            #expect(now != original && now.count < original.count, "the compacted version is in place")
            #expect(!FileManager.default.fileExists(atPath: leftover))
        }
        #expect(try records(under: root).keys.sorted() == before.keys.sorted(), "every record reads back from the file in place")
        #expect(try await views(root, wallets: wallets, sessions: sessions) == viewsBefore)

        let finished = try await CommandRunner.succeeded(["compact", file])
        #expect(finished.standardOutput.contains(stage == .renamed ? "already compacted" : " bundle"), "\(finished.standardOutput)")
        #expect(!FileManager.default.fileExists(atPath: leftover), "a leftover of the killed run is removed")
        _ = try await CommandRunner.succeeded(["index", "--archives", root])
        #expect(try await views(root, wallets: wallets, sessions: sessions) == viewsBefore)
        _ = try await CommandRunner.succeeded(["verify", "--archives", root])
        #expect(try await Warcio.run(["check", file]).status == 0)
    }
}
