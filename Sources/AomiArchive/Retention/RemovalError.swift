import WARC

/// Why a removal (`forget`, `prune`) stopped; each case names the file. Files already done stay
/// done, and running the removal again finishes it.
public enum RemovalError: Error, Sendable, CustomStringConvertible {
    /// A file or the root could not be read.
    case unreadable(path: String, reason: String)
    /// A closed file is damaged: repair it first (`inspect --repair`), so nothing is lost unseen.
    case damaged(WARCDamage)
    /// Another process rewrites the file now (a compaction, another removal).
    case busy(path: String)
    /// A running recorder wrote the file: nothing was changed.
    case heldByRecorder(path: String, recorder: String)
    /// Writing, syncing, renaming or deleting failed; the old file is still whole.
    case write(path: String, reason: String)
    /// The rewritten file did not read back as expected; it was not put in place.
    case mismatch(path: String, reason: String)
    /// Stopped on purpose after a step (tests that interrupt a removal).
    case stopped(after: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): "cannot read \(path): \(reason)"
        case let .damaged(damage): "\(damage.file) is damaged at offset \(damage.offset) (\(damage.reason)): repair it first with 'aomi-archive inspect --repair'"
        case let .busy(path): "\(path) is being rewritten by another process (a compaction or another removal); try again when it is done"
        case let .heldByRecorder(path, recorder): "\(path) was written by recorder \(recorder), which is still running; nothing was changed"
        case let .write(path, reason): "could not rewrite \(path) (the old file is kept whole): \(reason)"
        case let .mismatch(path, reason): "the new version of \(path) did not read back as written (the old file is kept): \(reason)"
        case let .stopped(step): "stopped after \(step)"
        }
    }
}
