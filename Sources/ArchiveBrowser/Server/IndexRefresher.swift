import ArchiveIndex
import Dispatch
import Logging
import StoredArchives

/// Brings the browser's index up to date with the archives (the indexer reads only what was
/// added since), one run at a time, on a thread of its own so that pages keep being served
/// from Swift concurrency's few threads. A run that fails (another indexer holds the lock, a
/// file is unreadable) is logged and tried again at the next interval.
actor IndexRefresher {
    let database: ArchiveDatabase
    let root: String
    /// When the archives are in a store: the index is loaded from its objects instead.
    let store: StoreFiles?
    let logger: Logger
    /// Runs after each refresh, successful or not (the browser drops from its cache the
    /// sessions the index no longer knows: another process forgot or pruned them).
    let afterRefresh: @Sendable () -> Void

    init(database: ArchiveDatabase, root: String, store: StoreFiles? = nil, logger: Logger, afterRefresh: @escaping @Sendable () -> Void = {}) {
        self.database = database
        self.root = root
        self.store = store
        self.logger = logger
        self.afterRefresh = afterRefresh
    }

    func refresh() async {
        let database = self.database
        let root = self.root
        let outcome: Result<IndexRunReport, any Error>
        if let store {
            do {
                outcome = .success(try await StoreIndexer(files: store, database: database).run().index)
            } catch {
                outcome = .failure(error)
            }
        } else {
            outcome = await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    continuation.resume(
                        returning: Result { () throws(IndexError) in
                            let indexer = ArchiveIndexer(database: database, root: root)
                            IndexMetrics.lag(files: try indexer.filesBehind())
                            let report = try indexer.run()
                            IndexMetrics.lag(files: try indexer.filesBehind())
                            return report
                        }.mapError { $0 as any Error })
                }
            }
        }
        afterRefresh()
        switch outcome {
        case let .success(report):
            IndexMetrics.ran(report)
            if report.recordsLoaded > 0 { logger.info("index brought up to date: \(report.recordsLoaded) new records") }
        case let .failure(error):
            IndexMetrics.failed()
            logger.warning("index not brought up to date: \(error)")
        }
    }
}
