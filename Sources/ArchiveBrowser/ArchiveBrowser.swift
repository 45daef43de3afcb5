import ArchiveIndex
import Foundation
import HTTPServing
import Hummingbird
import Logging
import StoredArchives

/// The archive browser (`aomi-archive serve`): pages to look through wallets, their threads
/// and sessions, a session's exchanges on a time line, one exchange in full, and search, each
/// also as JSON. Read-only: it reads the index and the archive files, and keeps the index up
/// to date in the background so a growing archive shows without a restart.
public struct ArchiveBrowser: Sendable {
    public let root: String
    /// The index: a SQLite file path, or a `postgres://` URL.
    public let databaseLocation: String
    /// Required on every request when set (for a listener beyond loopback).
    public let token: String?
    /// How often the index is brought up to date; nil: never (the index is read as it is).
    public let refreshInterval: Duration?
    /// The `Host`s answered (others get 403: DNS rebinding).
    public let hosts: HostPolicy
    /// What `GET /metrics` answers (behind the token like every page); nil: no such page.
    public var metrics: MetricsEndpoint?
    /// The store the archives are in (`--archives s3://…`; `root` is then its address): the
    /// index is brought up to date from its objects, and a session's folders are fetched
    /// into the cache before its pages read them.
    public var store: StoreFiles?
    let logger: Logger

    public init(
        root: String, databaseLocation: String, token: String? = nil, refreshInterval: Duration? = .seconds(10), hosts: HostPolicy = HostPolicy(),
        logger: Logger
    ) {
        self.root = root
        self.databaseLocation = databaseLocation
        self.token = token
        self.hosts = hosts
        self.refreshInterval = refreshInterval
        self.logger = logger
    }

    /// Opens the index (creating it when missing) and serves. With `indexFirst` the index is
    /// brought up to date before the server listens; without, the first refresh runs in the
    /// background at once, and pages show what it has loaded so far (the footer says when).
    public func start(host: String = "127.0.0.1", port: Int = 0, indexFirst: Bool = true) async throws -> BrowserServer {
        let database = try ArchiveDatabase(location: databaseLocation)
        let queries = ArchiveQueries(database: database)
        var data = BrowserData(root: root, databaseLocation: databaseLocation, queries: queries)
        data.storeFolders = store.map(StoreFolders.init(files:))
        let refresher = IndexRefresher(database: database, root: root, store: store, logger: logger) { [sessions = data.sessions] in
            sessions.purge { id in (try? database.knows(session: id)) == false }
        }
        if indexFirst { await refresher.refresh() }
        let router = Router()
        router.add(middleware: BrowserMiddleware(token: token, hosts: hosts, logger: logger, indexedAt: { try? queries.lastIndexed() }))
        if let metrics {
            router.add(middleware: MetricsMiddleware())
            router.get(RouterPath(MetricsEndpoint.path)) { _, _ in BrowserResponse.metrics(metrics) }
        }
        BrowserRoutes(data: data).add(to: router)
        let server = try await ApplicationServer.start(router: router, host: host, port: port, logger: logger)
        let interval = refreshInterval
        let refreshing: Task<Void, Never>? =
            interval == nil && indexFirst
            ? nil
            : Task { [folders = data.storeFolders, logger] in
                if !indexFirst { await refresher.refresh() }
                while let interval, !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    if !Task.isCancelled {
                        await refresher.refresh()
                        do { try await folders?.refresh() } catch { logger.warning("the store's folders were not brought up to date: \(error)") }
                    }
                }
            }
        return BrowserServer(server: server, refreshing: refreshing)
    }
}

/// A running archive browser: its server, and the background refresh of the index it stops.
public struct BrowserServer: RunningServer {
    let server: ApplicationServer
    let refreshing: Task<Void, Never>?

    public var host: String { server.host }
    public var port: Int { server.port }
    public var scheme: String { server.scheme }

    public func stop(grace: Duration) async {
        refreshing?.cancel()
        await server.stop(grace: grace)
    }
}
