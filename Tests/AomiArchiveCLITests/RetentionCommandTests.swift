import AomiArchive
import Foundation
import TestSupport
import Testing
import WARC

/// Retention and erasure under the conditions an operator meets: `prune` and `record --retain`
/// on roots whose revisits cross files (and recorders), `forget` on a read-only root, on a full
/// disk and killed at every step, and both on a PostgreSQL index; `verify` passes after each.
@Suite(.tags(.slow)) struct RetentionCommandTests {
    private func drive(_ url: String, wallets: Int = 1, seed: Int = 1) async throws -> [String: Any] {
        let driven = try await CommandRunner.succeeded([
            "sim", "drive", "--target", url, "--wallets", String(wallets), "--threads", "2", "--messages", "2", "--poll", "10ms", "--seed", String(seed), "--json",
        ])
        return try #require(try JSONSerialization.jsonObject(with: Data(driven.standardOutput.utf8)) as? [String: Any])
    }

    private func wallets(of drive: [String: Any]) -> [String] {
        Array(Set(((drive["threads"] as? [[String: Any]]) ?? []).compactMap { $0["wallet"] as? String })).sorted()
    }

    /// Drives a recorder into `root`, and stops it.
    private func record(into root: String, upstream: String, wallets: Int = 1, seed: Int = 1) async throws -> [String: Any] {
        let recorder = try BackgroundCommand(["record", "--upstream", upstream, "--listen", "127.0.0.1:0", "--archives", root])
        let drive = try await self.drive(try await recorder.waitForURL(), wallets: wallets, seed: seed)
        recorder.signal(SIGTERM)
        #expect(await recorder.wait() == 0, "\(recorder.standardError)")
        return drive
    }

    /// Every record of every archive file under `root`, by file.
    private func records(under root: String) throws -> [String: [WARCRecord]] {
        var found: [String: [WARCRecord]] = [:]
        for path in try ArchiveFiles.find(under: root) { found[path] = try WARCFileReader.readAll(path: path).records.map(\.record) }
        return found
    }

    /// Where `text` is in the index's files, nil when it is in neither: the database file (at
    /// which offset, in which 4 KiB page) or the write-ahead log still there beside it.
    private func bytes(_ text: String, inIndex index: String) throws -> String? {
        let pattern = Data(text.utf8)
        var places: [String] = []
        if let range = try Data(contentsOf: URL(fileURLWithPath: index)).range(of: pattern) {
            places.append("\(index) at offset \(range.lowerBound) (page \(range.lowerBound / 4096 + 1))")
        }
        if let log = try? Data(contentsOf: URL(fileURLWithPath: index + "-wal")) {
            if let range = log.range(of: pattern) { places.append("\(index)-wal at offset \(range.lowerBound)") }
            if !log.isEmpty { places.append("a write-ahead log of \(log.count) bytes left") }
        }
        return places.isEmpty ? nil : places.joined(separator: "; ")
    }

    /// The revisits under `root` whose original is in none of its files.
    private func danglingRevisits(under root: String) throws -> [String] {
        let all = try records(under: root).values.flatMap { $0 }
        let ids = Set(all.compactMap(\.recordID))
        return all.filter { $0.type == .revisit && !ids.contains($0.headers[WARCField.refersTo] ?? "") }.compactMap(\.recordID)
    }

    /// Waits on the wall clock until `seconds` have passed since `start`: records written
    /// before `start` are then older than that, whatever the machine's speed.
    private func waitUntil(_ seconds: Double, after start: Date) async throws {
        while Date().timeIntervalSince(start) < seconds { try await Task.sleep(for: .milliseconds(50)) }
    }

    @Test(.timeLimit(.minutes(10)))
    func pruneMakesRevisitsWholeWhenTheFileOfTheirOriginalsGoesAndKeepsSessionsWhole() async throws {
        let root = TemporaryDirectory.path("aomi-prune")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (sim, upstream) = try await BackgroundCommand.startSimulator()
        defer { sim.signal(SIGTERM) }
        // One recorder, small files, two wallets' conversations 2 s apart.
        let recorder = try BackgroundCommand(["record", "--upstream", upstream, "--listen", "127.0.0.1:0", "--archives", root, "--rotate", "4KiB"])
        let url = try await recorder.waitForURL()
        let firstWallet = try #require(wallets(of: try await drive(url, seed: 1)).first)
        let firstDone = Date()
        try await waitUntil(2, after: firstDone)
        let secondDrive = try await drive(url, seed: 2)
        recorder.signal(SIGTERM)
        #expect(await recorder.wait() == 0, "\(recorder.standardError)")
        let before = try records(under: root)
        // The middle of the 2 s between the drives, named as an instant: how long the commands
        // below take to start does not move it.
        let cutoffDate = firstDone.addingTimeInterval(1)
        let cutoff = WARCDate(cutoffDate).description
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let instant = formatter.string(from: cutoffDate)
        let oldIDs = Set(before.values.flatMap { $0 }.filter { ($0.date ?? "") < cutoff }.compactMap(\.recordID))
        let crossing = before.values.flatMap { $0 }.filter { $0.type == .revisit && ($0.date ?? "") > cutoff && oldIDs.contains($0.headers[WARCField.refersTo] ?? "") }
        _ = try await CommandRunner.succeeded(["index", "--archives", root])

        // Older than the middle of the gap: the first wallet's conversations.
        let unchanged = before.mapValues { $0.count }
        let dryRun = try await CommandRunner.succeeded(["prune", "--archives", root, "--before", instant, "--dry-run"])
        #expect(dryRun.standardOutput.contains("would delete"), "\(dryRun.standardOutput)")
        #expect(try records(under: root).mapValues { $0.count } == unchanged, "a dry run changes nothing")
        let pruned = try await CommandRunner.succeeded(["prune", "--archives", root, "--before", instant])
        #expect(pruned.standardOutput.contains("deleted"), "\(pruned.standardOutput)")

        let after = try records(under: root)
        let left = after.values.flatMap { $0 }
        #expect(!left.contains { $0.headers[AomiField.wallet] == firstWallet }, "the first conversation is gone")
        for revisit in crossing {
            let record = try #require(left.first { $0.recordID == revisit.recordID }, "the revisit stays")
            #expect(record.type == .response && !record.block.isEmpty, "made a full response")
        }
        #expect(try danglingRevisits(under: root).isEmpty)
        for file in after.keys { #expect(try await Warcio.run(["check", file]).status == 0, "\(file)") }
        let verified = try await CommandRunner.succeeded(["verify", "--archives", root])
        #expect(verified.standardOutput.contains("no differences"), "\(verified.standardOutput)")
        for wallet in wallets(of: secondDrive) { #expect(try await threads(of: wallet, root: root).count == 2, "the second conversation is still indexed") }
        #expect(try await threads(of: firstWallet, root: root).isEmpty, "the first left the index")
        let log = try String(contentsOfFile: root + "/.forgotten.log", encoding: .utf8)
        #expect(log.contains("prune=older-than"), "\(log)")
        let madeWhole = try #require(log.firstMatch(of: /revisits_made_whole=(\d+)/).flatMap { Int($0.output.1) })
        #expect(madeWhole >= max(1, crossing.count), "revisits of records that went became full responses: \(log)")
    }

    @Test(.timeLimit(.minutes(10)))
    func recordRetainRemovesOldFilesOfAStoppedRecorderThenItsOwn() async throws {
        let root = TemporaryDirectory.path("aomi-retain")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (sim, upstream) = try await BackgroundCommand.startSimulator()
        defer { sim.signal(SIGTERM) }
        let stoppedWallet = try #require(wallets(of: try await record(into: root, upstream: upstream, seed: 1)).first)
        let stoppedFiles = Set(try ArchiveFiles.find(under: root))
        _ = try await CommandRunner.succeeded(["index", "--archives", root])
        try await waitUntil(2, after: Date())

        // At start, the stopped recorder's files are past 2 s: they go, and the index with them.
        let recorder = try BackgroundCommand([
            "record", "--upstream", upstream, "--listen", "127.0.0.1:0", "--archives", root, "--retain", "2s", "--rotate", "4KiB",
        ])
        let url = try await recorder.waitForURL()
        try await recorder.waitForLines(containing: "retention: removed")
        #expect(Set(try ArchiveFiles.find(under: root)).isDisjoint(with: stoppedFiles))
        let indexed = try await CommandRunner.succeeded(["wallets", "--archives", root, "--json"])
        #expect(!indexed.standardOutput.contains(stoppedWallet), "the stopped recorder's sessions left the index: \(indexed.standardOutput)")

        // Its own files: a wallet's conversations, then past 2 s. The same wallet's next
        // conversations close the file the first ones ended in (rotation), and the run then
        // removes the first ones, the recorder having let go of their payloads.
        // A run may remove only records without a session while a conversation's tail is still in
        // the open file; the test waits until runs report both conversations gone.
        let firstOwn = try await drive(url, seed: 2)
        let ownWallet = try #require(wallets(of: firstOwn).first)
        let ownFiles = Set(try ArchiveFiles.find(under: root).filter { !ArchiveFiles.isOpen($0) })
        try #require(ownFiles.count >= 2, "--rotate 4KiB closed files")
        try await waitUntil(2.5, after: Date())
        let secondOwn = try await drive(url, seed: 2)
        try await waitForConversationsRemoved(2 + sessions(of: firstOwn).count, by: recorder)
        recorder.signal(SIGTERM)
        #expect(await recorder.wait() == 0, "\(recorder.standardError)")
        #expect(!recorder.standardError.contains(" error "), "no run failed: \(recorder.standardError)")
        let left = Set(try ArchiveFiles.find(under: root))
        #expect(!ownFiles.isSubset(of: left), "some of its own old files went")
        #expect(try danglingRevisits(under: root).isEmpty, "no revisit refers to a removed file")
        let verified = try await CommandRunner.succeeded(["verify", "--archives", root])
        #expect(verified.standardOutput.contains("no differences"), "no session was cut in two: \(verified.standardOutput)")
        let firstSessions = sessions(of: firstOwn)
        #expect(!left.isEmpty && !firstSessions.isEmpty)
        #expect(try records(under: root).values.joined().allSatisfy { !firstSessions.contains($0.headers[AomiField.sessionID] ?? "") }, "no file holds the first conversations")
        _ = try await CommandRunner.succeeded(["index", "--archives", root])
        // The second conversations' thread listings still name the first ones (the backend keeps
        // them), so they may be listed by title, but none of their messages is left.
        let after = try await threads(of: ownWallet, root: root, withMessages: true)
        #expect(Set(after) == sessions(of: secondOwn), "the first conversations went, the second stayed: \(firstSessions) → \(after)")
    }

    /// The sessions a drive created.
    private func sessions(of drive: [String: Any]) -> Set<String> {
        Set(((drive["threads"] as? [[String: Any]]) ?? []).compactMap { $0["session_id"] as? String })
    }

    /// Waits until the recorder's retention runs have reported `count` whole conversations removed.
    private func waitForConversationsRemoved(_ count: Int, by recorder: BackgroundCommand) async throws {
        var reported = 0
        var lines = 1
        while reported < count {
            try await recorder.waitForLines(containing: "retention: removed", count: lines)
            reported = recorder.standardError.matches(of: /retention: removed \d+ records \((\d+) whole conversations\)/).compactMap { Int($0.output.1) }.reduce(0, +)
            lines += 1
        }
    }

    /// The sessions of the root's index, by wallet (through the binary's JSON).
    /// With `withMessages`, only those with at least one indexed message.
    private func threads(of wallet: String, root: String, database: String? = nil, withMessages: Bool = false) async throws -> [String] {
        let listed = try await CommandRunner.succeeded(["threads", "--wallet", wallet, "--archives", root, "--json"] + (database.map { ["--db", $0] } ?? []))
        return listed.standardOutput.split(separator: "\n").compactMap { line in
            guard let thread = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            if withMessages && (thread["message_count"] as? Int ?? 0) == 0 { return nil }
            return thread["session_id"] as? String
        }
    }

    @Test(.enabled(if: SmallFilesystem.available, "mounting a tmpfs needs root"), .timeLimit(.minutes(10)))
    func forgetChangesNothingOnAReadOnlyRootKeepsFilesWholeOnAFullDiskAndFinishesAfterAKillAtEveryStep() async throws {
        let disk = try SmallFilesystem(kilobytes: 16 << 10)
        defer { disk.unmount() }
        let root = disk.path + "/root"
        // The index is elsewhere: the faults are the archive files'.
        let index = TemporaryDirectory.path("aomi-fault-index") + ".sqlite"
        defer { for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: index + suffix) } }
        let (sim, upstream) = try await BackgroundCommand.startSimulator()
        defer { sim.signal(SIGTERM) }
        let drive = try await record(into: root, upstream: upstream, wallets: 2)
        let (first, second) = (wallets(of: drive)[0], wallets(of: drive)[1])
        _ = try await CommandRunner.succeeded(["index", "--archives", root, "--db", index])
        let sessions = try await threads(of: first, root: root, database: index)
        try #require(sessions.count == 2)
        let session = sessions[0]

        // A read-only root: refused with the cause, nothing changed.
        let before = RootContents.snapshot(root)
        try disk.setReadOnly(true)
        let readOnly = try await CommandRunner.run(["forget", "--archives", root, "--db", index, "--session", session])
        try disk.setReadOnly(false)
        #expect(readOnly.status == 1)
        #expect(readOnly.standardError.lowercased().contains("read-only"), "\(readOnly.standardError)")
        #expect(RootContents.snapshot(root) == before, "a read-only root is left as it was")

        // A full disk while the file without the session is written: the old file stays whole.
        disk.fill()
        let full = try await CommandRunner.run(["forget", "--archives", root, "--db", index, "--session", session])
        disk.free()
        #expect(full.status == 1)
        #expect(full.standardError.contains("No space left on device") && full.standardError.contains("kept whole"), "\(full.standardError)")
        #expect(RootContents.snapshot(root, skipping: [".forgetting"]) == before, "every archive file is as it was")
        #expect(!RootContents.holding(session, under: root).isEmpty)

        // Killed after each step in turn, then run to the end: finished.
        for step in ["written", "rewritten", "index", "logged"] {
            let killed = try await CommandRunner.run(["forget", "--archives", root, "--db", index, "--session", session, "--crash-after", step])
            #expect(killed.status != 0 && killed.status != 1, "killed after \(step): \(killed.standardError)")
        }
        let finished = try await CommandRunner.succeeded(["forget", "--archives", root, "--db", index, "--session", session])
        #expect(finished.standardOutput.contains("an interrupted forget of it was finished"), "\(finished.standardOutput)")
        #expect(RootContents.holding(session, under: root).isEmpty, "\(RootContents.holding(session, under: root))")
        let sessionLeft = try bytes(session, inIndex: index)
        #expect(sessionLeft == nil, "nor does the index: \(sessionLeft ?? "")")
        #expect(try await threads(of: first, root: root, database: index) == [sessions[1]])

        // A wallet, killed after its first file is deleted.
        let killed = try await CommandRunner.run(["forget", "--archives", root, "--db", index, "--wallet", second, "--crash-after", "deleted"])
        #expect(killed.status != 0 && killed.status != 1, "\(killed.standardError)")
        _ = try await CommandRunner.succeeded(["forget", "--archives", root, "--db", index, "--wallet", second])
        #expect(RootContents.holding(String(second.dropFirst(2)), under: root).isEmpty)
        let walletLeft = try bytes(String(second.dropFirst(2)), inIndex: index)
        #expect(walletLeft == nil, "nor does the index: \(walletLeft ?? "")")
        #expect(try danglingRevisits(under: root).isEmpty)
        _ = try await CommandRunner.succeeded(["verify", "--archives", root])
        let markers = (try? FileManager.default.contentsOfDirectory(atPath: root + "/.forgetting")) ?? []
        #expect(markers.isEmpty, "no forget is left unfinished: \(markers)")
    }

    @Test(.tags(.postgres), .needs(.postgres), .timeLimit(.minutes(10)))
    func forgetAndPruneKeepAPostgreSQLIndexInStep() async throws {
        let root = TemporaryDirectory.path("aomi-forget-pg")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (sim, upstream) = try await BackgroundCommand.startSimulator()
        defer { sim.signal(SIGTERM) }
        let drive = try await record(into: root, upstream: upstream, wallets: 2)
        let (first, second) = (wallets(of: drive)[0], wallets(of: drive)[1])
        try await PostgresServer.with { server in
            let database = try await server.createDatabase("retention")
            _ = try await CommandRunner.succeeded(["index", "--archives", root, "--db", database])
            let sessions = try await threads(of: first, root: root, database: database)
            try #require(sessions.count == 2)
            let word = try #require(((drive["threads"] as? [[String: Any]])?.first { $0["session_id"] as? String == sessions[0] }?["sent_messages"] as? [String])?.first)

            _ = try await CommandRunner.succeeded(["forget", "--archives", root, "--db", database, "--session", sessions[0]])
            #expect(try await threads(of: first, root: root, database: database) == [sessions[1]])
            let search = try await CommandRunner.succeeded(["search", "\"\(word)\"", "--archives", root, "--db", database, "--json"])
            #expect(!search.standardOutput.contains(sessions[0]), "\(search.standardOutput)")
            let show = try await CommandRunner.run(["show", sessions[0], "--archives", root, "--db", database])
            #expect(show.status != 0)

            // Everything is older than now: prune leaves nothing in the files or the index.
            try await waitUntil(1.1, after: Date())
            _ = try await CommandRunner.succeeded(["prune", "--archives", root, "--db", database, "--older-than", "1s"])
            #expect(try ArchiveFiles.find(under: root).isEmpty)
            #expect(try await threads(of: second, root: root, database: database).isEmpty)
            let wallets = try await CommandRunner.succeeded(["wallets", "--archives", root, "--db", database, "--json"])
            #expect(!wallets.standardOutput.contains(first) && !wallets.standardOutput.contains(second), "\(wallets.standardOutput)")
        }
    }
}
