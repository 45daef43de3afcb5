import AomiArchive
import ArchiveIndex
import Foundation
import Logging
import Replayer
import WARC

/// What a mutant goes through: everything that reads archives. The reader (as `inspect` and
/// every other command use it), `.open` repair (what `record` does at start and `inspect
/// --repair`), the indexer's loader, and the replay's loader, engine and HAR export. A
/// mutant may be reported damaged or refused; it must not crash or hang, and a repaired file
/// must read back without damage.
struct FuzzTargets {
    let work: String
    private var database: ArchiveDatabase?
    private var sinceNewDatabase = 0
    var counts: [String: Int] = [:]

    init(work: String) {
        self.work = work
    }

    /// Runs one mutant; returns the broken invariant, if any.
    mutating func run(_ bytes: [UInt8], compressed: Bool, index: UInt64) throws -> String? {
        let root = work + "/root"
        let folder = root + "/0x00000000000000000000000000000000000000fa"
        try? FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let name = "mutant-\(index).warc" + (compressed ? ".gz" : "")
        let path = folder + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        if let problem = try read(path) { return problem }
        if let problem = try repair(bytes, name: name) { return problem }
        try indexFolder(root)
        try replay(path)
        return nil
    }

    private mutating func read(_ path: String) throws -> String? {
        let (records, damage) = try WARCFileReader.readAll(path: path)
        count(damage.isEmpty ? "reader: intact" : "reader: damaged")
        counts["records read", default: 0] += records.count
        _ = try WARCInspector().inspect(path: path, onEntry: { _ in })
        return nil
    }

    /// Repairs a copy as an `.open` file; what is left must read back whole.
    private mutating func repair(_ bytes: [UInt8], name: String) throws -> String? {
        let folder = work + "/repair"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let open = folder + "/" + name + ".open"
        try Data(bytes).write(to: URL(fileURLWithPath: open))
        let report = try WARCFileRepair.repair(path: open, finalSegmentFields: [("Aomi-Stream-End", "error")])
        guard let repaired = report.repairedPath else {
            count("repair: removed")
            return nil
        }
        count("repair: kept")
        let damage = try WARCFileReader.readAll(path: repaired).damage
        return damage.isEmpty ? nil : "the repaired file still reads as damaged: \(damage.map(\.description).joined(separator: "; "))"
    }

    private mutating func indexFolder(_ root: String) throws {
        if database == nil || sinceNewDatabase >= 200 {
            let path = work + "/index.sqlite"
            database = nil
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            database = try ArchiveDatabase(path: path)
            sinceNewDatabase = 0
        }
        sinceNewDatabase += 1
        let report = try ArchiveIndexer(database: database!, root: root).run()
        count(report.damage.isEmpty ? "index: clean" : "index: damage reported")
        counts["records indexed", default: 0] += report.recordsLoaded
    }

    /// Loads the mutant as the replay does, builds the engine, asks it every recorded request
    /// and exports the sessions as HAR.
    private mutating func replay(_ path: String) throws {
        let archive: RecordedArchive
        do {
            archive = try RecordedArchive.load(files: [path])
        } catch {
            count("replay: refused")
            return
        }
        count(archive.problems.isEmpty ? "replay: clean" : "replay: problems reported")
        let engine = ReplayEngine(archive: archive, configuration: ReplayConfiguration(checkKeys: false), logger: Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() }))
        for session in archive.sessions {
            for exchange in session.exchanges {
                _ = engine.respond(
                    to: ReplayRequest(method: exchange.request.method, target: exchange.request.target, fields: exchange.request.fields, body: exchange.request.body))
                counts["requests replayed", default: 0] += 1
            }
        }
        _ = HARExporter(sessions: archive.sessions).document()
    }

    private mutating func count(_ outcome: String) {
        counts[outcome, default: 0] += 1
    }
}
