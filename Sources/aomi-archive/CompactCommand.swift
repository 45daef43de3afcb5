import AomiArchive
import ArgumentParser
import Foundation
import ObjectStore

/// `aomi-archive compact`: rewrites closed archive files so that each session's records
/// compress together.
struct CompactCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Rewrite closed archive files so that each session's records compress together (lossless).",
        discussion: """
            Each session's records are put in bundles (resource records of type \
            application/warc; bundle=1, up to --bundle-size each) that compress as one gzip member; \
            every record reads back with the same fields, block and digests, which is checked \
            before the new file (written beside the old one and synced) is renamed over it. \
            Files still being written (.open) are never touched; a compacted file says so in its \
            warcinfo and is skipped, and so is a file another compaction or repair is rewriting now \
            (each holds a lock on the file). The exit status is 1 when a file could not be compacted. \
            With --archives s3://BUCKET/PREFIX the closed objects are copied into a temporary \
            folder, compacted there, and each compacted file replaces its object only if no one \
            rewrote that object meanwhile.
            """
    )

    @Option(help: "Archive root, or s3://BUCKET/PREFIX: every closed file under it is compacted (when no FILE is named).")
    var archives = "Archives"

    @Argument(help: "Files to compact (default: every closed file under --archives).")
    var files: [String] = []

    @Option(help: "Most bytes of records (uncompressed) in one bundle (1MiB, 256KiB).")
    var bundleSize = SizeArgument("1MiB")

    @Option(help: "gzip level of the compacted file, 1 (fastest) to 12 (smallest).")
    var level: Int32 = 8

    @Option(help: .private)
    var crashAfter: ArchiveCompactor.Stage?

    @Flag(help: "Print one JSON object per file instead of text.")
    var json = false

    func validate() throws {
        try ArgumentRange.check(level, "--level", 1...12)
        guard bundleSize.bytes >= 4096, bundleSize.bytes <= 64 << 20 else { throw ValidationError("--bundle-size must be 4KiB to 64MiB") }
        try StoreOption.validate(archives)
        if StoreLocation.isStore(archives), !files.isEmpty { throw ValidationError("name no FILE with --archives s3://…: every closed object is compacted") }
    }

    func run() async throws {
        let compactor = ArchiveCompactor(bundleBytes: Int(bundleSize.bytes), level: level)
        let onStage: @Sendable (String, ArchiveCompactor.Stage) -> Void = { [crashAfter] _, stage in
            if stage == crashAfter { kill(getpid(), SIGKILL) }
        }
        if let store = try await StoreOption.named(archives, command: "compact") {
            return try await compact(store, with: compactor)
        }
        let results: [Result<CompactionReport, CompactionError>]
        if files.isEmpty {
            results = try compactor.compactAll(under: archives, onStage: onStage)
        } else {
            results = files.map { path in Result { () throws(CompactionError) in try compactor.compact(path, onStage: { onStage(path, $0) }) } }
        }
        try printResults(results)
    }

    /// `--archives s3://…`: compacts a copy of the closed objects, then puts back each
    /// compacted file over its object (only if that is still the version copied).
    private func compact(_ store: StoreOption, with compactor: ArchiveCompactor) async throws {
        let folder = try MirrorFolder()
        defer { folder.remove() }
        do {
            let mirror = try await StoreMirror.make(
                client: store.client, location: store.location, folder: folder.path, includes: { ArchiveFiles.isClosedArchive(relative: $0) })
            let results = try compactor.compactAll(under: folder.path).map { result in
                result.map { report in
                    var named = report
                    named.path = store.location.key(for: ArchiveFiles.relativePath(of: report.path, under: folder.path))
                    return named
                }
            }
            let published = try await mirror.publish()
            await store.pruneCache(command: "compact")
            if !json {
                print("\(Counted.of(published.rewritten.count, "object")) of \(mirror.copied.objects) in \(store.location) replaced by its compacted version")
            }
            let refused = store.sayRefused(mirror.refusedKeys, command: "compact")
            try printResults(results)
            if refused { throw ExitCode(1) }
        } catch let error as StoreError {
            printError("compact: \(error)")
            throw ExitCode(1)
        }
    }

    private func printResults(_ results: [Result<CompactionReport, CompactionError>]) throws {
        var failed = 0
        var reports: [CompactionReport] = []
        for result in results {
            switch result {
            case let .success(report):
                reports.append(report)
                print(json ? Self.jsonLine(report) : Self.textLine(report))
            case let .failure(error):
                if case .busy = error {
                    FileHandle.standardError.write(Data("skipped: \(error)\n".utf8))
                    continue
                }
                failed += 1
                FileHandle.standardError.write(Data("not compacted: \(error)\n".utf8))
            }
        }
        if !json, reports.filter({ !$0.alreadyCompacted }).count > 1 {
            print(Self.textLine(CompactionReport.total(of: reports, path: "total")))
        }
        if failed > 0 { throw ExitCode(1) }
    }

    static func textLine(_ report: CompactionReport) -> String {
        if report.alreadyCompacted { return "\(report.path): already compacted" }
        let ratio = report.bytesAfter > 0 ? Double(report.bytesBefore) / Double(report.bytesAfter) : 0
        return "\(report.path): \(Counted.of(report.records, "record")) in \(Counted.of(report.bundles, "bundle")), "
            + String(
                format: "%lld → %lld bytes (%.1f× smaller), %.1f MB/s of input (%.1f MB/s uncompressed)", report.bytesBefore, report.bytesAfter, ratio,
                report.bytesPerSecond / 1e6, report.seconds > 0 ? Double(report.inflatedBytes) / report.seconds / 1e6 : 0)
    }

    static func jsonLine(_ report: CompactionReport) -> String {
        let object: [String: Any] = [
            "path": report.path, "already_compacted": report.alreadyCompacted, "records": report.records, "bundles": report.bundles,
            "bytes_before": report.bytesBefore, "bytes_after": report.bytesAfter, "inflated_bytes": report.inflatedBytes, "seconds": report.seconds,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

extension ArchiveCompactor.Stage: ExpressibleByArgument {}
