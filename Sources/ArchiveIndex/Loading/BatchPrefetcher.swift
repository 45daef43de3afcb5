import Foundation
import WARC

/// A record prepared for loading, or damage.
enum PreparedEvent {
    case record(PreparedRecord)
    case damage(WARCDamage)
}

/// What an index run reads: a file, its row in `files`, and where to start.
struct PlannedFile {
    let file: ArchiveFile
    /// What the index knows the file by (`ArchiveFile.identity()`).
    let identity: String
    let fileID: Int64
    let start: Int64
    /// The file was compacted since it was indexed: its records are relocated, not loaded again.
    var relocating = false
}

/// Reads the planned files' records on another thread, a few batches ahead, so that inflating
/// and parsing overlap with writing to SQLite (across file boundaries too).
final class BatchPrefetcher: @unchecked Sendable {
    /// One batch of one file, and where that file's reader stood after it.
    struct Batch {
        var plan: Int
        var events: [PreparedEvent]
        var endOffset: Int64
        var isLastOfFile: Bool
        var openError: String?
    }

    private let plans: [PlannedFile]
    private let size: Int
    private let capacity = 3
    private let condition = NSCondition()
    private var ready: [Batch] = []
    /// Batches the writer is done with, freed on the reading thread (freeing thousands of
    /// prepared records took a tenth of the writing thread's time).
    private var spent: [Batch] = []
    private var done = false

    init(plans: [PlannedFile], batchSize: Int) {
        self.plans = plans
        self.size = batchSize
        let thread = Thread { [self] in produce() }
        thread.name = "aomi-archive index reader"
        thread.start()
    }

    /// The next batch in file order, or nil after the last.
    func next() -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty && !done { condition.wait() }
        guard !ready.isEmpty else { return nil }
        let batch = ready.removeFirst()
        condition.broadcast()
        return batch
    }

    /// Gives back a loaded batch, to be freed by the reading thread.
    func recycle(_ batch: Batch) {
        condition.lock()
        spent.append(batch)
        condition.unlock()
    }

    private func produce() {
        for (number, plan) in plans.enumerated() {
            var options = WARCReaderOptions()
            options.startOffset = plan.start
            let reader: WARCFileReader
            do {
                reader = try WARCFileReader(path: plan.file.readPath, options: options)
            } catch {
                hand(Batch(plan: number, events: [], endOffset: plan.start, isLastOfFile: true, openError: "\(error)"))
                continue
            }
            var previousSnapshots: [String: PreparedSnapshot] = [:]
            var last = false
            while !last {
                var events: [PreparedEvent] = []
                events.reserveCapacity(size)
                // A batch ends between gzip members, so that `endOffset` never cuts a bundle.
                while events.count < size || !reader.isAtMemberBoundary, let event = reader.next() {
                    switch event {
                    case let .record(stored): events.append(.record(PreparedRecord(stored, fileID: plan.fileID, previousSnapshots: &previousSnapshots)))
                    case let .damage(damage): events.append(.damage(damage))
                    }
                }
                last = events.count < size
                hand(Batch(plan: number, events: events, endOffset: reader.endOfLastRecord, isLastOfFile: last, openError: nil))
            }
        }
        condition.lock()
        done = true
        condition.broadcast()
        condition.unlock()
    }

    private func hand(_ batch: Batch) {
        condition.lock()
        while ready.count >= capacity { condition.wait() }
        ready.append(batch)
        var freed: [Batch] = []
        swap(&freed, &spent)
        condition.broadcast()
        condition.unlock()
        freed.removeAll()
    }
}
