import AomiArchive
import ArchiveIndex
import ObjectStore

/// Why `forget`, `prune` or `du` stopped, in words a person can act on.
public enum RetentionError: Error, Sendable, CustomStringConvertible {
    /// Nothing of the wallet or session is in the archives or the index; nothing was changed.
    case unknown(RemovalTarget, root: String)
    /// Running recorders wrote files that hold what is to be removed.
    case heldByRecorders([(file: String, recorder: String)])
    case removal(RemovalError)
    case index(IndexError)
    /// The root's key or `.forgotten.log` could not be used.
    case log(path: String, reason: String)
    /// The object store failed (reading the objects, or putting back what changed).
    case store(StoreError)

    public var description: String {
        switch self {
        case let .unknown(target, root): "no \(target) in \(root) or its index; nothing was changed"
        case let .heldByRecorders(held):
            "refused, nothing was changed: "
                + held.prefix(5).map { "\($0.file) was written by recorder \($0.recorder), which is still running" }.joined(separator: "; ")
                + (held.count > 5 ? " (and \(held.count - 5) more files)" : "")
                + ". Stop that recorder (its files close on stop), then run this again."
        case let .removal(error): error.description
        case let .index(error): "the index: \(error)"
        case let .log(path, reason): "\(path): \(reason)"
        case let .store(error): "\(error)"
        }
    }
}
