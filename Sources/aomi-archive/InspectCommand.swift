import AomiArchive
import ArgumentParser
import Foundation
import ObjectStore
import WARC

/// `aomi-archive inspect FILE…`: lists the records of archive files and the damage found.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "List the records of .warc.gz / .warc files, with a summary and any damage.",
        discussion: """
            One line per record: offset, stored length, type, date, target URI and the Aomi \
            session id. Exit status: 0 when every file is intact, 1 when damage was found, \
            2 when a file could not be opened. A FILE may be an object, s3://BUCKET/KEY (endpoint \
            and credentials from the AWS_* variables): it is fetched into the cache \
            (AOMI_ARCHIVE_CACHE) and read there.
            """
    )

    @Argument(help: "Archive files to inspect (or objects, s3://BUCKET/KEY).")
    var files: [String]

    @Flag(help: "Print JSON Lines (one object per record, damage and file summary) instead of text.")
    var json = false

    @Flag(help: "Repair each file first: cut after the last complete record, end unfinished SSE streams, rename a .open file.")
    var repair = false

    @Flag(help: "Print only the summaries, not one line per record.")
    var summaryOnly = false

    @Flag(help: "With --repair: remove a file that holds no intact record (without it, such a file is left as it is and named).")
    var discardUnreadable = false

    func validate() throws {
        if repair, files.contains(where: StoreLocation.isStore) { throw ValidationError("--repair acts on local files, not on objects (s3://…)") }
    }

    func run() async throws {
        let inspector = WARCInspector(extraFields: [AomiField.sessionID, AomiField.wallet])
        let output = JSONLinesWriter()
        var damaged = false
        var unreadable = false
        for file in files {
            var path = file
            var checkout: ObjectCache.Checkout?
            defer { checkout?.release() }
            do {
                if StoreLocation.isStore(file) {
                    checkout = try await Self.fetch(file)
                    path = checkout?.paths.first ?? file
                }
                if repair {
                    guard let report = try ArchiveFiles.repairUnlessWritten(file, removingUnreadable: discardUnreadable) else {
                        throw InspectFailure(path: file, reason: "is being written by a running recorder (it holds its lock under .recorders): not repaired")
                    }
                    printRepair(report, output: output)
                    guard let repaired = report.repairedPath else { continue }
                    path = repaired
                }
                guard FileManager.default.isReadableFile(atPath: path) else {
                    throw InspectFailure(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist")
                }
                let name = checkout == nil ? path : file
                if !json { print(name) }
                if !json && !summaryOnly { print("  " + inspector.headerLine()) }
                let summary = try inspector.inspect(path: path) { entry in
                    guard !summaryOnly else { return }
                    if json { output.write(Self.tags(of: entry, file: name), entry) } else { print("  " + inspector.line(for: entry)) }
                }
                damaged = damaged || !summary.damage.isEmpty
                if json {
                    output.write(["kind": "summary"], summary)
                } else {
                    inspector.summaryLines(summary).forEach { print("  " + $0) }
                }
            } catch {
                unreadable = true
                FileHandle.standardError.write(Data("aomi-archive inspect: \(error)\n".utf8))
            }
        }
        if unreadable { throw ExitCode(2) }
        if damaged { throw ExitCode(1) }
    }

    /// The object at `address` (`s3://BUCKET/KEY`), fetched into the cache.
    private static func fetch(_ address: String) async throws -> ObjectCache.Checkout {
        let location = try StoreLocation(address)
        let client = try ObjectStoreClient(location: location)
        guard !location.prefix.isEmpty, let object = try await client.head(key: location.prefix) else {
            throw InspectFailure(path: address, reason: "is not an object of the store")
        }
        return try await StoreOption.cache(client: client).checkout([object])
    }

    /// The tags of a record's JSON line: its kind and file, and its session and wallet under
    /// the names every command uses (`session_id`, `wallet`).
    private static func tags(of entry: WARCInspector.Entry, file: String) -> [String: String] {
        var tags = ["kind": "record", "file": file]
        tags["session_id"] = entry.fields[AomiField.sessionID]
        tags["wallet"] = entry.fields[AomiField.wallet]
        return tags
    }

    private func printRepair(_ report: WARCRepairReport, output: JSONLinesWriter) {
        if json {
            output.write(["kind": "repair"], report)
            return
        }
        let outcome = report.repairedPath.map { "repaired as \($0)" } ?? "removed: no intact record"
        print(
            "\(report.originalPath): \(outcome); \(report.intactRecords) intact records, \(report.bytesCut) bytes cut, "
                + "\(report.closedSegmentOrigins.count) unfinished streams ended")
    }
}

/// A file `inspect` cannot open, said on stderr before anything is printed about it.
struct InspectFailure: Error, CustomStringConvertible {
    let path: String
    let reason: String
    var description: String { "\(path) \(reason)" }
}
