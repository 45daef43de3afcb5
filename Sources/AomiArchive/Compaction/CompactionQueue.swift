import Foundation
import Synchronization

/// Compacts files one after another on a thread of its own, as they are handed over
/// (`record --compact-on-close`): the recorder closes a file and goes on serving while the
/// file is rewritten. `finish()` waits for every file handed over so far.
public final class CompactionQueue: Sendable {
    /// What the queue did so far.
    public struct Tally: Sendable, Equatable {
        public var compacted = 0
        public var failed = 0
        public var bytesBefore: Int64 = 0
        public var bytesAfter: Int64 = 0
    }

    private let compactor: ArchiveCompactor
    private let queue = DispatchQueue(label: "aomi-archive compaction", qos: .utility)
    private let group = DispatchGroup()
    private let state = Mutex(Tally())
    private let report: @Sendable (Result<CompactionReport, CompactionError>) -> Void

    /// - Parameter report: told the outcome of each file (on the queue's thread), for the log.
    public init(compactor: ArchiveCompactor, report: @escaping @Sendable (Result<CompactionReport, CompactionError>) -> Void = { _ in }) {
        self.compactor = compactor
        self.report = report
    }

    /// Queues a closed file for compaction; `then` is told the path once the file is final
    /// (compacted, or left as it was when compaction failed): `record --store` uploads it then.
    public func submit(_ path: String, then: (@Sendable (String) -> Void)? = nil) {
        queue.async(group: group) { [self] in
            let result = Result { () throws(CompactionError) in try compactor.compact(path) }
            state.withLock { tally in
                switch result {
                case let .success(done) where !done.alreadyCompacted:
                    tally.compacted += 1
                    tally.bytesBefore += done.bytesBefore
                    tally.bytesAfter += done.bytesAfter
                case .success, .failure(.busy): break
                case .failure: tally.failed += 1
                }
            }
            report(result)
            then?(path)
        }
    }

    /// Waits until every file submitted so far is compacted (or failed); returns the tally.
    public func finish() async -> Tally {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            group.notify(queue: queue) { continuation.resume() }
        }
        return tally
    }

    public var tally: Tally { state.withLock { $0 } }
}
