import AomiAPI
import AomiArchive
import AomiClient
import ArgumentParser
import AsyncHTTPClient
import Foundation
import ObjectStore
import Recorder
import WARC

/// `aomi-archive crawl`: archives every thread of one wallet by pulling it from the backend.
struct CrawlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crawl",
        abstract: "Pull every thread of a wallet from an Aomi backend into its archive folder.",
        discussion: """
            Lists the wallet's threads (GET /api/sessions?public_key=), then records \
            GET /api/sessions/{id}, GET /api/state and GET /api/events of each thread into \
            <archives>/<wallet>/, marked Aomi-Capture: crawl. Payloads the folder already holds \
            are written as revisits, so crawling an unchanged wallet again costs little. \
            A thread that fails is reported and the crawl goes on; the exit status is then 1.
            """
    )

    @Option(help: "Base URL of the Aomi backend (https://api.aomi.dev, or http://HOST:PORT).")
    var upstream: String

    @OptionGroup var upstreamTLS: UpstreamTLSOptions

    @Option(help: "Wallet address (0x…) whose threads are crawled.")
    var wallet: String

    @Option(help: "Archive root, or s3://BUCKET/PREFIX.")
    var archives = "Archives"

    @Option(help: "Name of an environment variable holding the App key to send as AOMI-APP-KEY.")
    var appKeyEnv: String?

    @Option(help: "How long to wait for each response (30s).")
    var timeout = DurationArgument("30s")

    @Option(parsing: .unconditional, help: "Threads crawled at once (1 to 64).")
    var concurrency = 4

    func run() async throws {
        guard let address = WalletAddress(wallet) else {
            throw ValidationError("--wallet \(wallet) is not a wallet address (0x and 40 hex digits)")
        }
        var appKey: String?
        if let appKeyEnv {
            guard let value = ProcessInfo.processInfo.environment[appKeyEnv], !value.isEmpty else {
                throw ValidationError("--app-key-env \(appKeyEnv): the environment variable is not set")
            }
            appKey = value
        }
        try await BackendReachability.check(upstream, option: "--upstream")
        guard let store = try await StoreOption.named(archives, command: "crawl") else {
            return try await crawl(address, appKey: appKey, into: archives, keyRoot: archives)
        }
        try await crawl(address, appKey: appKey, intoStore: store)
    }

    /// `--archives s3://…`: the wallet's folder is copied from the store (its payloads become
    /// revisits, as on a root), the crawl writes beside it, and its new files become objects
    /// (only under keys no one took). The redaction key is this machine's for the store, kept
    /// beside the cache: a recorder's key never goes into a bucket.
    private func crawl(_ address: WalletAddress, appKey: String?, intoStore store: StoreOption) async throws {
        let folder = try MirrorFolder()
        defer { folder.remove() }
        let walletFolder = ArchiveFiles.folder(for: address)
        let mirror = try await StoreMirror.make(
            client: store.client, location: store.location, folder: folder.path,
            includes: { $0.hasPrefix(walletFolder + "/") && ArchiveFiles.isClosedArchive(relative: $0) })
        let keyRoot = (try store.cache().folder as NSString).appendingPathComponent("keys/\(store.location.bucket)/\(store.location.prefix)")
        try await crawl(address, appKey: appKey, into: folder.path, keyRoot: keyRoot)
        let published = try await mirror.publish()
        print("uploaded \(Counted.of(published.created.count, "file")) to \(store.location): " + published.created.map(store.location.key(for:)).joined(separator: ", "))
    }

    /// Crawls `address` into the root `archives`, with the redaction key of `keyRoot`.
    private func crawl(_ address: WalletAddress, appKey: String?, into archives: String, keyRoot: String) async throws {
        let recorderID = RecorderLock.newID()
        let lock = try RecorderLock(id: recorderID, root: archives)
        for report in try ArchiveFiles.repairOpenFiles(under: archives).repaired {
            FileHandle.standardError.write(Data("repaired \(report.originalPath): \(report.intactRecords) intact records, \(report.bytesCut) bytes cut\n".utf8))
        }
        let tls = try upstreamTLS.settings()
        let key = try RedactionKey.loadOrCreate(root: keyRoot)
        let archive = WalletArchive(
            settings: .init(
                root: archives, recorderID: recorderID,
                info: ArchiveInfo(upstream: upstream, redactionKeyID: key.id, capture: .crawl, extra: upstreamTLS.warcinfo)))
        let client = RecordingProxy.makeUpstreamClient(tls: tls)
        let crawler = WalletCrawler(
            configuration: CrawlConfiguration(
                upstream: upstream, upstreamTLS: tls, wallet: address, appKey: appKey,
                timeout: timeout.duration, concurrency: concurrency),
            archive: archive, redactor: Redactor(key: key), client: client)
        let showProgress = isatty(STDERR_FILENO) == 1
        let result: Result<CrawlReport, any Error>
        do {
            result = .success(
                try await crawler.crawl { progress in
                    if progress.failed { FileHandle.standardError.write(Data("\(showProgress ? "\r\u{1B}[K" : "")thread \(progress.sessionID) failed\n".utf8)) }
                    if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[Kcrawling \(address.value): \(progress.done)/\(progress.total) threads".utf8)) }
                })
        } catch {
            result = .failure(error)
        }
        if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        let files = try await archive.close()
        withExtendedLifetime(lock) {}
        try await client.shutdown()
        let report = try result.get()
        for failure in report.failures { FileHandle.standardError.write(Data("failed: \(failure)\n".utf8)) }
        let revisits = await archive.revisits
        let written = files.compactMap { try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int }.reduce(0, +)
        print(
            "crawled \(Counted.of(report.threads, "thread")) of \(address.value): \(Counted.of(report.exchanges, "exchange")), "
                + "\(Counted.of(revisits, "revisit")), \(Counted.of(report.failures.count, "failure")), \(Counted.of(written, "byte")) written to \(files.joined(separator: ", "))")
        if !report.failures.isEmpty { throw ExitCode(1) }
    }
}
