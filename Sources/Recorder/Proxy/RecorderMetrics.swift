import AomiAPI
import Foundation
import HTTPServing
import Metrics

/// What the recorder counts for `GET /metrics`, through swift-metrics (nothing is kept when no
/// backend is installed). The names and labels are documented in `docs/operations.md`.
enum RecorderMetrics {
    /// An exchange recorded (or answered by the recorder itself), with how long the upstream took.
    static func exchange(method: String, target: String, status: Int, timing: ExchangeTiming?) {
        let route = RouteTemplate.of(target)
        exchanges(RouteTemplate.method(method), route, String(status)).increment()
        guard let timing else { return }
        upstreamSeconds(route).recordNanoseconds(timing.total.nanoseconds)
        if let firstByte = timing.firstByte { upstreamFirstByteSeconds(route).recordNanoseconds(firstByte.nanoseconds) }
    }

    private static let exchanges = MetricFamily {
        Counter(label: "aomi_archive_record_exchanges_total", dimensions: [("method", $0[0]), ("route", $0[1]), ("status", $0[2])])
    }
    private static let upstreamSeconds = MetricFamily { Timer(label: "aomi_archive_record_upstream_seconds", dimensions: [("route", $0[0])]) }
    private static let upstreamFirstByteSeconds = MetricFamily {
        Timer(label: "aomi_archive_record_upstream_first_byte_seconds", dimensions: [("route", $0[0])])
    }
    private static let writtenBytes = MetricFamily { Counter(label: "aomi_archive_written_bytes_total", dimensions: [("kind", $0[0])]) }

    /// SSE streams being relayed now.
    static let openStreams = Meter(label: "aomi_archive_record_sse_streams_open")
    /// SSE events relayed to clients (and recorded).
    static let events = Counter(label: "aomi_archive_record_sse_events_total")
    /// Archive files this recorder has open.
    static let openFiles = Meter(label: "aomi_archive_files_open")

    /// Bytes written to archive files, by kind: `live` (one gzip member per record, as
    /// recorded) or `compacted` (rewritten by `--compact-on-close`).
    static func written(bytes: Int64, kind: String) {
        writtenBytes(kind).increment(by: bytes)
    }

    /// A write to the archive that failed, by its kind of cause.
    static func writeFailed(cause: String) {
        Counter(label: "aomi_archive_write_failures_total", dimensions: [("cause", WriteFailureKind.of(cause).rawValue)]).increment()
    }
}

/// How long the upstream took to answer an exchange: to its response head, and to its end.
struct ExchangeTiming: Sendable {
    var firstByte: Duration?
    var total: Duration
}

/// A write failure's cause as a metric label: a few kinds, whatever the message.
enum WriteFailureKind: String {
    case diskFull = "disk_full"
    case noDescriptors = "no_descriptors"
    case readOnly = "read_only"
    case permission
    case io
    case other

    static func of(_ cause: String) -> WriteFailureKind {
        if cause.contains("(errno \(ENOSPC))") || cause.contains("(errno \(EDQUOT))") { return .diskFull }
        if cause.contains("(errno \(EMFILE))") || cause.contains("(errno \(ENFILE))") || cause.contains("descriptor") { return .noDescriptors }
        if cause.contains("(errno \(EROFS))") { return .readOnly }
        if cause.contains("(errno \(EACCES))") || cause.contains("(errno \(EPERM))") { return .permission }
        if cause.contains("errno") { return .io }
        return .other
    }
}

extension Duration {
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
