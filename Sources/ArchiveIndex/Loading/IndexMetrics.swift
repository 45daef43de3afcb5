import Metrics

/// What a process that keeps the index up to date (`serve`) counts for `GET /metrics`,
/// through swift-metrics. The names are documented in `docs/operations.md`.
public enum IndexMetrics {
    /// A finished run: the records it loaded, and its rate when it loaded any.
    public static func ran(_ report: IndexRunReport) {
        Counter(label: "aomi_archive_index_records_total").increment(by: report.recordsLoaded)
        Counter(label: "aomi_archive_index_runs_total").increment()
        guard report.recordsLoaded > 0, report.seconds > 0 else { return }
        Gauge(label: "aomi_archive_index_records_per_second").record(Double(report.recordsLoaded) / report.seconds)
    }

    /// A run that failed.
    public static func failed() {
        Counter(label: "aomi_archive_index_failures_total").increment()
    }

    /// Archive files with bytes the index has not read yet.
    public static func lag(files: Int) {
        Gauge(label: "aomi_archive_index_lag_files").record(files)
    }
}

extension ArchiveIndexer {
    /// How many archive files under the root hold bytes the index has not read: new files, and
    /// files that grew or changed since the last run.
    public func filesBehind() throws(IndexError) -> Int {
        let files = try ArchiveFile.all(under: root)
        var known: [String: (size: Int64, indexedTo: Int64)] = [:]
        for row in try database.rows("SELECT path, size, indexed_to FROM files") {
            if let path = row.string("path") { known[path] = (row.int64("size") ?? -1, row.int64("indexed_to") ?? -1) }
        }
        return files.filter { file in
            guard let seen = known[file.path] else { return true }
            return seen.size != file.size || seen.indexedTo != file.size
        }.count
    }
}
