import AomiArchive
import Foundation
import Recorder
import Synchronization
import TestSupport
import Testing
import WARC

/// Several compactions on one root (`compact` runs, `record --compact-on-close`, `inspect
/// --repair`) never rewrite one file at once: each holds the file's `WARCRewriteLock`, a second
/// one leaves a held file to the first, and only a holder removes a leftover `FILE.replacing`.
@Suite struct ConcurrentCompactionTests {
    /// The request records under `root`, and any damage read.
    private func requests(under root: String) throws -> (count: Int, damage: [WARCDamage]) {
        var count = 0
        var damage: [WARCDamage] = []
        for file in try ArchiveFiles.find(under: root) {
            let (stored, found) = try WARCFileReader.readAll(path: file)
            count += stored.filter { $0.record.type == .request }.count
            damage += found
        }
        return (count, damage)
    }

    @Test(.timeLimit(.minutes(10)))
    func aSecondCompactionLeavesAFileBeingRewrittenToTheFirst() async throws {
        let fixture = try await RecordingFixture.start(recorderID: "held-compaction")
        defer { fixture.remove() }
        let report = try await fixture.drive(wallets: 1, threads: 2, messages: 2)
        let files = try await fixture.stop()
        let file = try #require(files.first { $0.contains("/0x") })
        // The first compaction is held once its new version is written beside the file.
        let written = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let first = Thread.detachedResult {
            try ArchiveCompactor().compact(file) { stage in
                guard stage == .written else { return }
                written.signal()
                release.wait()
            }
        }
        written.wait()
        #expect(FileManager.default.fileExists(atPath: file + WARCReplacementFile.suffix))
        // A second compaction and a repair of the same file leave it alone, and its new version with it.
        #expect(throws: CompactionError.self) { try ArchiveCompactor().compact(file) }
        let second = Result { try ArchiveCompactor().compact(file) }
        if case let .failure(error as CompactionError) = second, case .busy = error {} else { Issue.record("\(second)") }
        #expect(throws: WARCWriterError.self) { try WARCFileRepair.repair(path: file) }
        #expect(FileManager.default.fileExists(atPath: file + WARCReplacementFile.suffix), "the holder's new version is still there")
        release.signal()
        let done = try await first.value
        #expect(!done.alreadyCompacted && done.records > 0)
        #expect(try ArchiveCompactor().compact(file).alreadyCompacted)
        let found = try requests(under: fixture.root)
        #expect(found.count == report.requests && found.damage.isEmpty, "\(found.damage)")
    }

    @Test func aLeftoverOfAWriterThatIsGoneIsRemovedByTheNextRun() async throws {
        let fixture = try await RecordingFixture.start(recorderID: "leftover")
        defer { fixture.remove() }
        _ = try await fixture.drive(wallets: 1, threads: 1, messages: 1)
        let file = try #require(try await fixture.stop().first { $0.contains("/0x") })
        // What a compaction killed half-way leaves: nobody holds the file's lock any more.
        try Data("half a compaction".utf8).write(to: URL(fileURLWithPath: file + WARCReplacementFile.suffix))
        let report = try ArchiveCompactor().compact(file)
        #expect(!report.alreadyCompacted)
        #expect(!FileManager.default.fileExists(atPath: file + WARCReplacementFile.suffix))
    }

    @Test(.tags(.slow), .notInFastLoop, .timeLimit(.minutes(10)))
    func twoCompactionsAndACompactingRecorderOnOneRootKeepEveryRecord() async throws {
        for round in 0..<3 {
            let queue = CompactionQueue(compactor: ArchiveCompactor())
            let fixture = try await RecordingFixture.start(rotationBytes: 16 << 10, recorderID: "race-\(round)", compaction: queue)
            defer { fixture.remove() }
            let driving = Task { try await fixture.drive(wallets: 2, threads: 2, messages: 2) }
            // Two more compactions go over the root again and again while the recorder closes and compacts files.
            let stop = Atomic(false)
            let compactions = (0..<2).map { _ in
                Thread.detachedResult { () -> Int in
                    var passes = 0
                    repeat {
                        _ = try ArchiveCompactor().compactAll(under: fixture.root)
                        passes += 1
                        // A pause between passes keeps two loops from taking both cores from the
                        // rest of the suite; the races do not need the loops to spin.
                        Thread.sleep(forTimeInterval: 0.02)
                    } while !stop.load(ordering: .relaxed)
                    return passes
                }
            }
            let report = try await driving.value
            try await fixture.stop()
            _ = await queue.finish()
            stop.store(true, ordering: .relaxed)
            for compaction in compactions { _ = try await compaction.value }
            _ = try ArchiveCompactor().compactAll(under: fixture.root)
            #expect(report.errors.isEmpty, "\(report.errors)")
            let found = try requests(under: fixture.root)
            #expect(found.damage.isEmpty, "round \(round): \(found.damage)")
            #expect(found.count == report.requests, "round \(round): every recorded request is in the root")
            let leftovers = try FileManager.default.subpathsOfDirectory(atPath: fixture.root).filter { $0.hasSuffix(WARCReplacementFile.suffix) }
            #expect(leftovers.isEmpty, "\(leftovers)")
        }
    }
}

extension Thread {
    /// Runs `work` on a thread of its own (it may block: a held compaction must not hold a
    /// thread of the cooperative pool) and hands its result over.
    static func detachedResult<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) -> Task<Value, any Error> {
        let (stream, continuation) = AsyncStream.makeStream(of: Result<Value, any Error>.self)
        Thread.detachNewThread {
            continuation.yield(Result { try work() })
            continuation.finish()
        }
        return Task {
            for await result in stream { return try result.get() }
            throw CancellationError()
        }
    }
}
