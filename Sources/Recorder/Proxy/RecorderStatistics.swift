import Foundation
import Synchronization
import WARC

/// Counters of a running recorder: for its closing summary and its health endpoint. Write
/// failures are counted one by one but reported to the log once per cause until a write
/// succeeds again. Counting never waits: exchanges add to atomics, failures under a lock.
public final class RecorderStatistics: Sendable {
    private let counts = Atomic<Int>(0)
    private let streamCount = Atomic<Int>(0)
    private let bytesInCount = Atomic<Int64>(0)
    private let bytesOutCount = Atomic<Int64>(0)
    private let upstreamErrorCount = Atomic<Int>(0)
    private let failures = Mutex(Failures())
    private let failingFlag = Atomic<Bool>(false)
    private let started = ContinuousClock.now

    /// Write failures: how many, the last, and the causes logged since the last success.
    private struct Failures {
        var count = 0
        var last: (cause: String, date: WARCDate)?
        var failing = false
        var causesLoggedSinceSuccess: Set<String> = []
        var sinceSuccess = 0
    }

    public init() {}

    public var exchanges: Int { counts.load(ordering: .relaxed) }
    public var streams: Int { streamCount.load(ordering: .relaxed) }
    public var bytesIn: Int64 { bytesInCount.load(ordering: .relaxed) }
    public var bytesOut: Int64 { bytesOutCount.load(ordering: .relaxed) }
    public var upstreamErrors: Int { upstreamErrorCount.load(ordering: .relaxed) }
    /// Exchanges, stream starts and stream events that could not be written to the archive.
    public var writeFailures: Int { failures.withLock { $0.count } }
    /// The last write failure: its cause and when it happened.
    public var lastWriteFailure: (cause: String, date: WARCDate)? { failures.withLock { $0.last } }
    /// Whether the last write failed (the recorder is not recording now).
    public var failing: Bool { failures.withLock { $0.failing } }

    /// Whether the last write failed, read without the lock: a recorder that writes fine does
    /// not take it per exchange to say so.
    var mayBeFailing: Bool { failingFlag.load(ordering: .relaxed) }

    func exchange(requestBytes: Int, responseBytes: Int, failed: Bool) {
        counts.add(1, ordering: .relaxed)
        bytesInCount.add(Int64(requestBytes), ordering: .relaxed)
        bytesOutCount.add(Int64(responseBytes), ordering: .relaxed)
        if failed { upstreamErrorCount.add(1, ordering: .relaxed) }
    }

    func stream(bytes: Int) {
        streamCount.add(1, ordering: .relaxed)
        bytesOutCount.add(Int64(bytes), ordering: .relaxed)
    }

    /// Counts a failed write. True when its cause is new since the last successful write,
    /// which is when it is worth a log line.
    func writeFailed(cause: String) -> Bool {
        RecorderMetrics.writeFailed(cause: cause)
        return failures.withLock { failures in
            failures.count += 1
            failures.sinceSuccess += 1
            failures.failing = true
            failingFlag.store(true, ordering: .relaxed)
            failures.last = (cause, .now())
            return failures.causesLoggedSinceSuccess.insert(cause).inserted
        }
    }

    /// Notes a successful write. When it ends a run of failures, returns how many there were.
    func writeSucceeded() -> Int? {
        failures.withLock { failures in
            guard failures.failing else { return nil }
            failures.failing = false
            failingFlag.store(false, ordering: .relaxed)
            failures.causesLoggedSinceSuccess = []
            defer { failures.sinceSuccess = 0 }
            return failures.sinceSuccess
        }
    }

    /// What `GET /_recorder/health` answers.
    public func health() -> RecorderHealth {
        let (failing, count, last) = failures.withLock { ($0.failing, $0.count, $0.last) }
        return RecorderHealth(
            status: failing ? "failing" : "ok", exchanges: exchanges, streams: streams, writeFailures: count,
            lastError: last?.cause, lastErrorAt: last?.date.description,
            uptimeSeconds: Int((ContinuousClock.now - started).components.seconds))
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

    enum CodingKeys: String, CodingKey {
        case status, exchanges, streams
        case writeFailures = "write_failures"
        case lastError = "last_error"
        case lastErrorAt = "last_error_at"
        case uptimeSeconds = "uptime_s"
    }
}
