import ArchiveIndex
import Dispatch
import Logging

/// Brings the browser's index up to date with the archives (the indexer reads only what was
/// added since), one run at a time, on a thread of its own so that pages keep being served
/// from Swift concurrency's few threads. A run that fails (another indexer holds the lock, a
/// file is unreadable) is logged and tried again at the next interval.
actor IndexRefresher {
    let database: ArchiveDatabase
    let root: String
    let logger: Logger
    /// Runs after each refresh, successful or not (the browser drops from its cache the
    /// sessions the index no longer knows: another process forgot or pruned them).
    let afterRefresh: @Sendable () -> Void

    init(database: ArchiveDatabase, root: String, logger: Logger, afterRefresh: @escaping @Sendable () -> Void = {}) {
        self.database = database
        self.root = root
        self.logger = logger
        self.afterRefresh = afterRefresh
    }

    func refresh() async {
        let database = self.database
        let root = self.root
        let outcome = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    returning: Result { () throws(IndexError) in
                        let indexer = ArchiveIndexer(database: database, root: root)
                        IndexMetrics.lag(files: try indexer.filesBehind())
                        let report = try indexer.run()
                        IndexMetrics.lag(files: try indexer.filesBehind())
                        return report
                    })
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
