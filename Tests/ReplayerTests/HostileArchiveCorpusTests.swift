import ArchiveIndex
import Foundation
import Logging
import Replayer
import TestSupport
import Testing
import WARC

/// Every archive in `Tests/Fixtures/hostile-archives` once crashed or hung a reader (most were
/// found by tools/fuzz/fuzz.sh and saved from its findings). Each goes through everything that
/// reads archives, as the fuzzer sends it: the reader, `.open` repair, the index loader and the
/// replay loader, engine and HAR export. The test's time limit catches a hang.
@Suite struct HostileArchiveCorpusTests {
    static let corpus: [String] = {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/hostile-archives").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".warc") || $0.hasSuffix(".warc.gz") }.sorted().map { folder + "/" + $0 }
    }()

    @Test func theCorpusIsThere() {
        #expect(Self.corpus.count >= 2, "fixtures missing: \(Self.corpus)")
    }

    @Test(.timeLimit(.minutes(2)), arguments: corpus)
    func everyReaderGetsThroughAHostileArchive(_ fixture: String) async throws {
        let root = NSTemporaryDirectory() + "aomi-hostile-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let folder = root + "/archives/0x00000000000000000000000000000000000000fa"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let name = (fixture as NSString).lastPathComponent
        let path = folder + "/" + name
        try FileManager.default.copyItem(atPath: fixture, toPath: path)

        let (records, damage) = try WARCFileReader.readAll(path: path)
        #expect(!records.isEmpty || !damage.isEmpty, "something is reported about \(name)")
        #expect(damage.allSatisfy { $0.offset >= 0 && $0.length >= 0 })

        let open = root + "/" + name + ".open"
        try FileManager.default.copyItem(atPath: fixture, toPath: open)
        let report = try WARCFileRepair.repair(path: open)
        if let repaired = report.repairedPath {
            #expect(try WARCFileReader.readAll(path: repaired).damage.isEmpty, "repair leaves \(name) whole")
        }

        let database = try ArchiveDatabase(path: root + "/index.sqlite")
        let indexed = try ArchiveIndexer(database: database, root: root + "/archives").run()
        #expect(indexed.filesRead == 1)

        if let archive = try? ReplayArchive.load(files: [path]) {
            let engine = ReplayEngine(
                archive: archive, configuration: ReplayConfiguration(checkKeys: false), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            for exchange in archive.sessions.flatMap(\.exchanges) {
                _ = engine.respond(
                    to: ReplayRequest(
                        method: exchange.request.method, target: exchange.request.target,
                        fields: exchange.request.fields.map { (name: $0.name, value: $0.value) }, body: exchange.request.body))
            }
            _ = HARExporter(sessions: archive.sessions).document()
        }
    }
}
