import AomiArchive
import ArgumentParser
import Foundation
import HTTPServing
import Logging
import ObjectStore
import Recorder
import Retention
import Telemetry
import WARC

/// `aomi-archive record`: the recording reverse proxy.
struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Proxy an Aomi backend and record every exchange into per-wallet WARC archives.",
        discussion: """
            Files left .open by a crash are repaired at start. SIGINT or SIGTERM closes every \
            file and prints a summary. Secrets (App keys, credentials, cookies, the values of \
            POST /api/secrets and provider keys) are replaced by HMAC tokens before anything is written.
            """
    )

    @Option(help: "Base URL of the Aomi backend (https://api.aomi.dev, or http://HOST:PORT).")
    var upstream: String

    @OptionGroup var upstreamTLS: UpstreamTLSOptions

    @OptionGroup var listenerTLS: ListenerTLSOptions

    @Option(help: "Address to listen on (HOST:PORT).")
    var listen = "127.0.0.1:8787"

    @Option(help: "Archive root.")
    var archives = "Archives"

    @Option(help: "Start a new file past this size (256MiB, 1GiB).")
    var rotate = SizeArgument("256MiB")

    @Option(help: "How long to wait for the upstream's response head before answering 504 (30s, 500ms).")
    var upstreamTimeout = DurationArgument("30s")

    @Option(help: "Largest request body (413 above).")
    var maxBody = SizeArgument("8MiB")

    @Option(help: "Largest request head, target and header fields (431 above).")
    var maxHeader = SizeArgument("32KiB")

    @Option(
        name: [.customLong("gzip-level"), .customLong("level")],
        help: "gzip level of each live record: 0 (stored, the fastest; compaction compresses), 1 (fastest compressed) to 12 (smallest).")
    var gzipLevel: Int32 = 0

    @Flag(help: "Compact each file as it is closed (rotation, shutdown), on a thread of its own: see `aomi-archive compact`.")
    var compactOnClose = false

    @Option(help: "Another header whose value is redacted (repeatable).")
    var redactHeader: [String] = []

    @Option(help: "A query parameter whose value is redacted (repeatable).")
    var redactParam: [String] = []

    @Option(help: "A JSON path in request bodies whose string values are redacted, e.g. wallet.seed or secrets.* (repeatable).")
    var redactJson: [String] = []

    @Flag(
        help:
            "Answer 503 instead of the upstream's answer when an exchange cannot be written (full disk), and cut a stream whose events cannot be. Without it the answer goes through marked X-Aomi-Recorded: no."
    )
    var requireRecording = false

    @Option(
        help: """
            Remove closed files whose newest record is older than this (90d, 12h), as prune does, when a file \
            closes and every hour; this recorder's own old files included.
            """)
    var retain: DurationArgument?

    @Option(
        help: """
            The index --retain keeps in step: a SQLite file or a postgres:// URL (default: $AOMI_ARCHIVE_DB, \
            else <archives>/index.sqlite when that file exists).
            """)
    var db: String?

    @Option(
        help: """
            Upload each closed file (compacted first with --compact-on-close) to s3://BUCKET/PREFIX/<wallet>/<file>, \
            check it, then remove it here. Endpoint, region and keys from AWS_ENDPOINT_URL, AWS_REGION, \
            AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY; files left by a stopped recorder are uploaded at start.
            """)
    var store: String?

    @Flag(help: "With --store: keep each file here once it is uploaded.")
    var keepLocal = false

    @Option(help: "With --store: the longest wait between two attempts at an upload that fails (the first is 1s, each next one twice as long).")
    var storeRetryMax = DurationArgument("60s")

    @Option(help: "Sessions remembered for wallet binding and numbering; the least recently used are forgotten past it.")
    var sessionMemory = RecorderConfiguration.defaultSessionMemory

    @OptionGroup var log: LogOptions

    /// Every argument is checked before anything (a key file, a repaired file) is created.
    func validate() throws {
        _ = try ListenAddress(listen)
        do {
            try RecorderConfiguration.checkUpstream(upstream)
        } catch {
            throw ValidationError("--upstream: \(error)")
        }
        try ArgumentRange.check(gzipLevel, "--gzip-level", 0...12)
        if let retain, retain.isZero { throw ValidationError("--retain must be more than 0 (90d, 12h)") }
        if let store {
            do { _ = try StoreLocation(store) } catch { throw ValidationError("--store: \(error)") }
        }
        if keepLocal, store == nil { throw ValidationError("--keep-local needs --store") }
        if storeRetryMax.isZero { throw ValidationError("--store-retry-max must be more than 0 (60s, 5m)") }
        guard rotate.bytes > 0, maxBody.bytes > 0, maxHeader.bytes > 0, !upstreamTimeout.isZero, sessionMemory > 0 else {
            throw ValidationError("sizes, the timeout and --session-memory must be positive")
        }
    }

    func run() async throws {
        let shutdown = ShutdownSignal.catching()
        let address = try ListenAddress(listen)
        let logger = log.logger(label: "aomi-archive.record")
        // Each recorded stream holds two descriptors: a soft limit of 1,024 is 500 streams.
        let descriptors = DescriptorReserve.raiseSoftLimit()
        let streams = descriptors.after.soft < 4096 ? " (about \(descriptors.after.soft / 2) streams at once; raise the hard limit for more)" : ""
        logger.info("open-file limit: soft \(descriptors.before.soft) → \(descriptors.after.soft), hard \(descriptors.after.hard)\(streams)")
        let recorderID = RecorderLock.newID()
        let lock = try RecorderLock(id: recorderID, root: archives)
        let repair = try ArchiveFiles.repairOpenFiles(under: archives)
        for report in repair.repaired {
            logger.warning("repaired \(report.originalPath): \(report.intactRecords) intact records, \(report.bytesCut) bytes cut")
        }
        if !repair.inUse.isEmpty {
            logger.notice("left \(repair.inUse.count) open files alone: other recorders running on \(archives) write them")
        }
        let upstreamSettings = try upstreamTLS.settings()
        let listenerSettings = try listenerTLS.settings()
        var rules = RedactionRules.defaults()
        try rules.add(headers: redactHeader, queryParameters: redactParam, bodyPaths: redactJson)
        let key = try RedactionKey.loadOrCreate(root: archives)
        let compaction =
            compactOnClose
            ? CompactionQueue(compactor: ArchiveCompactor()) { result in
                switch result {
                case let .success(report):
                    WalletArchive.noteCompacted(report)
                    logger.info("compacted \(report.path): \(report.bytesBefore) → \(report.bytesAfter) bytes")
                case let .failure(error): logger.error("not compacted: \(error)")
                }
            } : nil
        var settings = WalletArchive.Settings(
            root: archives, recorderID: recorderID, rotationBytes: rotate.bytes,
            info: ArchiveInfo(upstream: upstream, redactionKeyID: key.id, extra: upstreamTLS.warcinfo),
            compressionLevel: gzipLevel, compaction: compaction)
        let uploader = try await storeUploader(logger: logger)
        if let uploader { settings.onFileFinal = { uploader.submit($0) } }
        let retention = retain.map { retentionPolicy(maxAge: $0.duration, recorderID: recorderID, logger: logger) }
        if let retention { settings.onFileClosed = { _ in Task { await retention.policy.trigger() } } }
        let archive = WalletArchive(settings: settings)
        if let retention {
            retention.archive.set(archive)
            await retention.policy.start()
        }
        var configuration = RecorderConfiguration(
            upstream: upstream, upstreamTLS: upstreamSettings, upstreamTimeout: upstreamTimeout.duration, maxRequestBodyBytes: Int(maxBody.bytes),
            maxHeaderBytes: Int(maxHeader.bytes), requireRecording: requireRecording, sessionMemory: sessionMemory)
        configuration.metrics = PrometheusMetrics.bootstrap()
        let proxy = RecordingProxy(
            configuration: configuration,
            archive: archive, redactor: Redactor(key: key, rules: rules), logger: logger)
        if let uploader { proxy.statistics.attach(uploader) }
        let uploads = uploader.map { uploader in Task { await uploader.run() } }
        let announcer = log.announcer(label: "aomi-archive.record")
        let recording = ServerService { [upstream, archives] in
            let server = try await proxy.start(host: address.host, port: address.port, tls: listenerSettings)
            announcer.notice("listening on \(server.baseURL), recording \(upstream) into \(archives) (recorder \(recorderID))")
            return server
        }
        try await ServerLifecycle.run([recording], until: shutdown, logger: logger)
        await retention?.policy.stop()
        let files: [String]
        do {
            files = try await archive.close()
        } catch {
            logger.error("could not close every archive file (the next start repairs what is left .open): \(error)")
            files = []
        }
        let compacted = await compaction?.finish()
        uploader?.drain()
        await uploads?.value
        if let left = uploader?.status, left.backlogFiles > 0 {
            logger.warning("\(left.backlogFiles) closed files (\(left.backlogBytes) bytes) are not uploaded yet: the next start uploads them")
        }
        withExtendedLifetime(lock) {}
        let statistics = proxy.statistics
        let revisits = await archive.revisits
        let exchanges = statistics.exchanges
        let written = files.compactMap { try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int }.reduce(0, +)
        let summary =
            "stopped: \(exchanges) exchanges and \(statistics.streams) streams, "
            + "\(statistics.bytesIn) bytes in, \(statistics.bytesOut) bytes out, \(written) bytes written in \(files.count) files, "
            + "\(revisits) revisits (dedup \(exchanges == 0 ? 0 : revisits * 100 / exchanges)%), \(statistics.upstreamErrors) upstream errors, "
            + "\(await statistics.writeFailures) failed writes\(await statistics.lastWriteFailure.map { " (last: \($0.cause))" } ?? "")"
            + (compacted.map { ", \($0.compacted) files compacted (\($0.bytesBefore) → \($0.bytesAfter) bytes)\($0.failed > 0 ? ", \($0.failed) not" : "")" } ?? "")
        announcer.notice("\(summary)")
    }

    /// `--store`: the uploader, with the files a stopped recorder left already in its backlog.
    /// Credentials, bucket or endpoint that the store refuses stop the recorder at start with
    /// the store's words; a store that does not answer now only delays the uploads.
    private func storeUploader(logger: Logger) async throws -> ArchiveUploader? {
        guard let store else { return nil }
        let location = try StoreLocation(store)
        let client: ObjectStoreClient
        do {
            client = try ObjectStoreClient(location: location)
        } catch {
            printError("record: --store \(location): \(error)")
            throw ExitCode(1)
        }
        do {
            try await client.checkAccess()
        } catch {
            guard error.isTransient else {
                printError("record: --store \(location): \(error)")
                throw ExitCode(1)
            }
            logger.warning("--store \(location) does not answer now; closed files wait in the backlog: \(error)")
        }
        return try ArchiveUploader(root: archives, location: location, client: client, keepLocal: keepLocal, logger: logger, longestWait: storeRetryMax.duration)
            .withLeftovers(logger: logger)
    }

    /// The index `--retain` keeps in step, when there is one.
    private var retentionIndex: String? {
        if let given = IndexLocation.given(db) { return given }
        let path = IndexLocation.rootIndex(of: archives)
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// `--retain`: the policy, and the archive it asks to let go of payloads (set once the
    /// archive exists, which itself tells the policy of each closed file).
    private func retentionPolicy(maxAge: Duration, recorderID: String, logger: Logger) -> (policy: RecorderRetention, archive: ArchiveReference) {
        let reference = ArchiveReference()
        let policy = RecorderRetention(
            root: archives, maxAge: maxAge, recorderID: recorderID, indexLocation: retentionIndex,
            letGo: { ids in await reference.archive?.forgetOriginals(ids) },
            report: { [retain] outcome in
                switch outcome {
                case let .success(report) where report.plan.isEmpty:
                    logger.debug("retention: nothing older than \(retain?.description ?? "")")
                case let .success(report):
                    let outcome = report.outcome
                    logger.notice(
                        "retention: removed \(outcome.records) records (\(report.plan.sessions.count) whole conversations) older than \(retain?.description ?? ""): \(outcome.filesDeleted) files deleted, \(outcome.filesRewritten) rewritten, \(outcome.revisitsMadeWhole) revisits made full records, \(report.index.messages) messages gone from the index"
                    )
                case let .failure(error):
                    logger.error("retention: \(error)")
                }
            })
        return (policy, reference)
    }
}
