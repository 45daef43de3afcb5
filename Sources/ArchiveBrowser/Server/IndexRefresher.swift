import ArchiveIndex
import Logging

/// Brings the browser's index up to date with the archives (the indexer reads only what was
/// added since), one run at a time. A run that fails (another indexer holds the lock, a file
/// is unreadable) is logged and tried again at the next interval.
actor IndexRefresher {
    let database: ArchiveDatabase
    let root: String
    let logger: Logger

    init(database: ArchiveDatabase, root: String, logger: Logger) {
        self.database = database
        self.root = root
        self.logger = logger
    }

    func refresh() {
        do {
            let report = try ArchiveIndexer(database: database, root: root).run()
            if report.recordsLoaded > 0 { logger.info("index brought up to date: \(report.recordsLoaded) new records") }
        } catch {
            logger.warning("index not brought up to date: \(error)")
        }
    }
}
