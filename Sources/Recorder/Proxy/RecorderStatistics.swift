import Foundation
import Synchronization
import WARC

/// Counters of a running recorder: for its closing summary and its health endpoint. Write
/// failures are counted one by one but reported to the log once per cause until a write
/// succeeds again.
public actor RecorderStatistics {
    /// The counters every exchange adds to, kept outside the actor: counting is not worth a
    /// hop to the actor on every exchange.
    private nonisolated let counts = Atomic<Int>(0)
    private nonisolated let streamCount = Atomic<Int>(0)
    private nonisolated let bytesInCount = Atomic<Int64>(0)
    private nonisolated let bytesOutCount = Atomic<Int64>(0)
    private nonisolated let upstreamErrorCount = Atomic<Int>(0)

    public nonisolated var exchanges: Int { counts.load(ordering: .relaxed) }
    public nonisolated var streams: Int { streamCount.load(ordering: .relaxed) }
    public nonisolated var bytesIn: Int64 { bytesInCount.load(ordering: .relaxed) }
    public nonisolated var bytesOut: Int64 { bytesOutCount.load(ordering: .relaxed) }
    public nonisolated var upstreamErrors: Int { upstreamErrorCount.load(ordering: .relaxed) }
    /// Exchanges, stream starts and stream events that could not be written to the archive.
    public private(set) var writeFailures = 0
    /// The last write failure: its cause and when it happened.
    public private(set) var lastWriteFailure: (cause: String, date: WARCDate)?
    /// Whether the last write failed (the recorder is not recording now).
    public private(set) var failing = false
    private var causesLoggedSinceSuccess: Set<String> = []
    private var failuresSinceSuccess = 0
    private let started = ContinuousClock.now
    private nonisolated let failingFlag = Atomic<Bool>(false)
    private nonisolated let uploader = Mutex<ArchiveUploader?>(nil)

    /// The uploader of `record --store`, whose backlog the health shows.
    public nonisolated func attach(_ uploader: ArchiveUploader) {
        self.uploader.withLock { $0 = uploader }
    }

    /// Whether the last write failed, readable without waiting for the actor: a recorder that
    /// writes fine does not pay a second hop per exchange to say so.
    nonisolated var mayBeFailing: Bool { failingFlag.load(ordering: .relaxed) }

    nonisolated func exchange(requestBytes: Int, responseBytes: Int, failed: Bool) {
        counts.add(1, ordering: .relaxed)
        bytesInCount.add(Int64(requestBytes), ordering: .relaxed)
        bytesOutCount.add(Int64(responseBytes), ordering: .relaxed)
        if failed { upstreamErrorCount.add(1, ordering: .relaxed) }
    }

    nonisolated func stream(bytes: Int) {
        streamCount.add(1, ordering: .relaxed)
        bytesOutCount.add(Int64(bytes), ordering: .relaxed)
    }

    /// Counts a failed write. True when its cause is new since the last successful write,
    /// which is when it is worth a log line.
    func writeFailed(cause: String) -> Bool {
        RecorderMetrics.writeFailed(cause: cause)
        writeFailures += 1
        failuresSinceSuccess += 1
        failing = true
        failingFlag.store(true, ordering: .relaxed)
        lastWriteFailure = (cause, .now())
        return causesLoggedSinceSuccess.insert(cause).inserted
    }

    /// Notes a successful write. When it ends a run of failures, returns how many there were.
    func writeSucceeded() -> Int? {
        guard failing else { return nil }
        failing = false
        failingFlag.store(false, ordering: .relaxed)
        causesLoggedSinceSuccess = []
        defer { failuresSinceSuccess = 0 }
        return failuresSinceSuccess
    }

    /// What `GET /_recorder/health` answers.
    public func health() -> RecorderHealth {
        RecorderHealth(
            status: failing ? "failing" : "ok", exchanges: exchanges, streams: streams, writeFailures: writeFailures,
            lastError: lastWriteFailure?.cause, lastErrorAt: lastWriteFailure?.date.description,
            uptimeSeconds: Int((ContinuousClock.now - started).components.seconds), store: uploader.withLock { $0 }.map(StoreHealth.init))
    }
}

/// The recorder's health, as `GET /_recorder/health` returns it (200 when `status` is `ok`,
/// 503 when the last write failed).
public struct RecorderHealth: Sendable, Codable, Equatable {
    /// `ok`, or `failing` while writes to the archive fail.
    public var status: String
    public var exchanges: Int
    public var streams: Int
    public var writeFailures: Int
    /// The cause of the last write failure (without archive paths), if any.
    public var lastError: String?
    public var lastErrorAt: String?
    public var uptimeSeconds: Int
    /// With `--store`: the uploads' backlog and failures.
    public var store: StoreHealth?

    enum CodingKeys: String, CodingKey {
        case status, exchanges, streams, store
        case writeFailures = "write_failures"
        case lastError = "last_error"
        case lastErrorAt = "last_error_at"
        case uptimeSeconds = "uptime_s"
    }
}

/// The uploads of `record --store`, as `GET /_recorder/health` shows them: a backlog that
/// grows while the store fails, and the last failure's cause. Recording goes on either way.
public struct StoreHealth: Sendable, Codable, Equatable {
    public var location: String
    public var backlogFiles: Int
    public var backlogBytes: Int64
    public var uploadedFiles: Int
    public var uploadedBytes: Int64
    public var failures: Int
    public var lastError: String?
    public var lastErrorAt: String?

    init(_ uploader: ArchiveUploader) {
        let status = uploader.status
        location = uploader.location.description
        backlogFiles = status.backlogFiles
        backlogBytes = status.backlogBytes
        uploadedFiles = status.uploadedFiles
        uploadedBytes = status.uploadedBytes
        failures = status.failures
        lastError = status.lastError
        lastErrorAt = status.lastErrorAt
    }

    enum CodingKeys: String, CodingKey {
        case location
        case backlogFiles = "backlog_files"
        case backlogBytes = "backlog_bytes"
        case uploadedFiles = "uploaded_files"
        case uploadedBytes = "uploaded_bytes"
        case failures
        case lastError = "last_error"
        case lastErrorAt = "last_error_at"
    }
}
