import Foundation
import TestSupport
import Testing

/// Every archive in `Tests/Fixtures/hostile-archives` once crashed, hung or broke a reader (most
/// were found by tools/fuzz/fuzz.sh). Each goes through `archive-fuzz check`, the fuzzer's own
/// targets: the reader and `inspect`, `.open` repair (read back whole), the index loader, and
/// the replay's loader, engine and HAR export. A crash is the child's, not the suite's; the
/// test's time limit catches a hang.
@Suite struct HostileArchiveCorpusTests {
    static let corpus: [String] = {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/hostile-archives").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".warc") || $0.hasSuffix(".warc.gz") }.sorted().map { folder + "/" + $0 }
    }()

    @Test func theCorpusIsThere() {
        #expect(Self.corpus.count >= 4, "fixtures missing: \(Self.corpus)")
    }

    @Test(.timeLimit(.minutes(10)), arguments: corpus)
    func everyReaderGetsThroughAHostileArchive(_ fixture: String) async throws {
        let result = try await ChildProcess.run(CommandRunner.built("archive-fuzz"), ["check", fixture])
        #expect(result.status == 0, "\(result.standardOutput) \(result.standardError)")
        #expect(result.standardOutput.contains("ok: \(fixture)"))
    }
}
