import WARC

/// Why a file was not compacted. In every case the file is left as it was.
public enum CompactionError: Error, Sendable, CustomStringConvertible {
    /// A recorder is still writing it (or it was left by a crash: `inspect --repair` it).
    case openFile(path: String)
    case unreadable(path: String, reason: String)
    /// Damage would be lost or kept: the file must be repaired first.
    case damaged(WARCDamage)
    case noWarcinfo(path: String)
    case write(path: String, reason: String)
    /// The new version did not read back as the same records: nothing was replaced.
    case mismatch(path: String, reason: String)
    /// The caller stopped the compaction after a stage.
    case stopped(stage: ArchiveCompactor.Stage, reason: String)
    /// Another compaction or repair is rewriting it now (it holds the file's `WARCRewriteLock`).
    case busy(path: String)

    public var description: String {
        switch self {
        case let .openFile(path): "\(path) is still open (being recorded, or left by a crash: `aomi-archive inspect --repair` it first)"
        case let .unreadable(path, reason): "\(path) cannot be read: \(reason)"
        case let .damaged(damage): "\(damage.file) is damaged at offset \(damage.offset) (\(damage.reason)): repair it first with `aomi-archive inspect --repair`"
        case let .noWarcinfo(path): "\(path) does not start with a warcinfo record: not a file aomi-archive wrote"
        case let .write(path, reason): "\(path) was not compacted, the new version could not be written: \(reason)"
        case let .mismatch(path, reason): "\(path) was not compacted: the new version did not read back the same (\(reason))"
        case let .stopped(stage, reason): "compaction stopped after \(stage.rawValue): \(reason)"
        case let .busy(path): "\(path) is being rewritten by another compaction or repair: left to it"
        }
    }
}
