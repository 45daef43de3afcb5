import Metrics

/// What `record --store` counts for `GET /metrics` (documented in `docs/operations.md`).
enum UploadMetrics {
    private static let backlogFiles = Gauge(label: "aomi_archive_store_backlog_files")
    private static let backlogBytes = Gauge(label: "aomi_archive_store_backlog_bytes")
    private static let uploads = Counter(label: "aomi_archive_store_uploads_total")
    private static let uploadedBytes = Counter(label: "aomi_archive_store_uploaded_bytes_total")
    private static let failures = Counter(label: "aomi_archive_store_upload_failures_total")

    static func backlog(_ status: ArchiveUploader.Status) {
        backlogFiles.record(status.backlogFiles)
        backlogBytes.record(status.backlogBytes)
    }

    static func uploaded(bytes: Int64) {
        uploads.increment()
        uploadedBytes.increment(by: bytes)
    }

    static func failed() {
        failures.increment()
    }
}
