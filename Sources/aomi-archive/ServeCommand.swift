import ArchiveBrowser
import ArgumentParser
import Foundation
import HTTPServing
import Telemetry

/// `aomi-archive serve`: the archive browser.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Browse the archives: wallets, threads, sessions as chats and time lines, exchanges, search (HTML and JSON).",
        discussion: """
            Read-only: it reads the index and the archive files and never writes to the archives. \
            It listens at once and brings the index up to date in the background, at start and \
            every --refresh (pages show what is loaded so far), so archives that grow \
            while a recorder runs appear without a restart. With --archives s3://BUCKET/PREFIX \
            (and --db) the index is loaded from the store's objects, and a session's wallet \
            folder is fetched into the cache (AOMI_ARCHIVE_CACHE) when a page of it is asked for. It listens on loopback; another \
            address needs --token (or AOMI_ARCHIVE_TOKEN), asked for on every request (open \
            the first page with ?token=… and a cookie keeps it).
            """
    )

    @OptionGroup var location: IndexLocation

    @Option(help: "Address to listen on (HOST:PORT; port 0 picks a free one).")
    var listen = "127.0.0.1:8790"

    @Option(help: "Access token required on every request (needed to listen beyond loopback); at least 16 characters.")
    var token: String?

    @Option(help: "A DNS name this server answers to besides IP addresses and localhost (repeatable); other Hosts get 403.")
    var allowHost: [String] = []

    @Option(help: "How often the index is brought up to date (0s: only at start).")
    var refresh = DurationArgument("10s")

    @OptionGroup var log: LogOptions

    private var accessToken: String? { token ?? ProcessInfo.processInfo.environment["AOMI_ARCHIVE_TOKEN"] }

    /// The shortest token accepted: it guards every chat in the archive.
    static let minimumTokenLength = 16

    func validate() throws {
        let address = try ListenAddress(listen)
        if let accessToken, accessToken.trimmingCharacters(in: .whitespaces).count < Self.minimumTokenLength {
            let source = token == nil ? "AOMI_ARCHIVE_TOKEN" : "--token"
            throw ValidationError("\(source) must be at least \(Self.minimumTokenLength) characters that are not all spaces (it guards every chat in the archive)")
        }
        if !Self.isLoopback(address.host), accessToken == nil {
            throw ValidationError("--listen \(listen) is beyond loopback: give --token (or AOMI_ARCHIVE_TOKEN) so that not everyone on the network can read the chats")
        }
        try location.validateArchives()
        try location.requireStoreDatabase()
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    func run() async throws {
        let shutdown = ShutdownSignal.catching()
        let address = try ListenAddress(listen)
        let logger = log.logger(label: "aomi-archive.serve")
        let announcer = log.announcer(label: "aomi-archive.serve")
        var browser = ArchiveBrowser(
            root: location.archives, databaseLocation: location.database, token: accessToken,
            refreshInterval: refresh.isZero ? nil : refresh.duration, hosts: HostPolicy(allowing: allowHost), logger: logger)
        browser.metrics = PrometheusMetrics.bootstrap()
        browser.store = try await StoreOption.named(location.archives, command: "serve")?.files()
        let service = ServerService { [browser] in
            let server = try await browser.start(host: address.host, port: address.port, indexFirst: false)
            announcer.notice("listening on \(server.baseURL), browsing \(location.archives)")
            return server
        }
        try await ServerLifecycle.run([service], until: shutdown, logger: logger)
    }
}
