import AomiArchive
import ArgumentParser
import Foundation
import Logging
import Recorder
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

    @Option(help: "Rotate files past this many MiB.")
    var rotateMb = 256

    @Option(help: "Seconds to wait for the upstream's response head before answering 504.")
    var upstreamTimeout = 30.0

    @Option(help: "Largest request body in MiB (413 above).")
    var maxBodyMb = 8

    @Option(help: "Largest request head (target and headers) in KiB (431 above).")
    var maxHeaderKb = 32

    @Option(name: [.customLong("gzip-level"), .customLong("level")], help: "gzip level of each record, 1 (fastest) to 12 (smallest).")
    var gzipLevel: Int32 = 6

    @Option(help: "Another header whose value is redacted (repeatable).")
    var redactHeader: [String] = []

    @Option(help: "A query parameter whose value is redacted (repeatable).")
    var redactParam: [String] = []

    @Option(help: "A JSON path in request bodies whose string values are redacted, e.g. wallet.seed or secrets.* (repeatable).")
    var redactJson: [String] = []

    @Flag(help: "Answer 503 instead of the upstream's answer when an exchange cannot be written (full disk), and cut a stream whose events cannot be. Without it the answer goes through marked X-Aomi-Recorded: no.")
    var requireRecording = false

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
        guard (1...12).contains(gzipLevel) else { throw ValidationError("--gzip-level must be 1 to 12, not \(gzipLevel)") }
        guard rotateMb > 0, maxBodyMb > 0, maxHeaderKb > 0, upstreamTimeout > 0, sessionMemory > 0 else {
            throw ValidationError("sizes, the timeout and --session-memory must be positive")
        }
    }

    func run() async throws {
        let shutdown = ShutdownSignal.catching()
        let address = try ListenAddress(listen)
        let logger = log.logger(label: "aomi-archive.record")
        for report in try ArchiveFiles.repairOpenFiles(under: archives) {
            logger.warning("repaired \(report.originalPath): \(report.intactRecords) intact records, \(report.bytesCut) bytes cut")
        }
        let upstreamSettings = try upstreamTLS.settings()
        let listenerSettings = try listenerTLS.settings()
        var rules = RedactionRules.defaults()
        try rules.add(headers: redactHeader, queryParameters: redactParam, bodyPaths: redactJson)
        let key = try RedactionKey.loadOrCreate(root: archives)
        let recorderID = String(UUID().uuidString.prefix(8)).lowercased()
        let archive = WalletArchive(settings: .init(root: archives, recorderID: recorderID, rotationBytes: Int64(rotateMb) << 20,
                                                    info: ArchiveInfo(upstream: upstream, redactionKeyID: key.id, extra: upstreamTLS.warcinfo),
                                                    compressionLevel: gzipLevel))
        let proxy = RecordingProxy(
            configuration: RecorderConfiguration(upstream: upstream, upstreamTLS: upstreamSettings, upstreamTimeout: .milliseconds(Int(upstreamTimeout * 1000)), maxRequestBodyBytes: maxBodyMb << 20,
                                                 maxHeaderBytes: maxHeaderKb << 10, requireRecording: requireRecording, sessionMemory: sessionMemory),
            archive: archive, redactor: Redactor(key: key, rules: rules), logger: logger)
        let server = try await proxy.start(host: address.host, port: address.port, tls: listenerSettings)
        FileHandle.standardOutput.write(Data("aomi-archive record: \(server.baseURL) -> \(upstream), archiving into \(archives) (recorder \(recorderID))\n".utf8))
        await shutdown.wait()
        await server.stop()
        let files: [String]
        do {
            files = try await archive.close()
        } catch {
            logger.error("could not close every archive file (the next start repairs what is left .open): \(error)")
            files = []
        }
        let statistics = proxy.statistics
        let revisits = await archive.revisits
        let exchanges = await statistics.exchanges
        let written = files.compactMap { try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int }.reduce(0, +)
        let summary = "aomi-archive record: \(exchanges) exchanges and \(await statistics.streams) streams, "
            + "\(await statistics.bytesIn) bytes in, \(await statistics.bytesOut) bytes out, \(written) bytes written in \(files.count) files, "
            + "\(revisits) revisits (dedup \(exchanges == 0 ? 0 : revisits * 100 / exchanges)%), \(await statistics.upstreamErrors) upstream errors, "
            + "\(await statistics.writeFailures) failed writes\(await statistics.lastWriteFailure.map { " (last: \($0.cause))" } ?? "")\n"
        FileHandle.standardError.write(Data(summary.utf8))
    }
}
