import Foundation

/// One index writer at a time: an exclusive `flock` on `<index>.lock`, held for a run.
public final class IndexWriterLock {
    private let descriptor: Int32
    public let path: String

    /// Takes the lock; when another run holds it, calls `waiting` once and waits for it.
    public init(database: String, waiting: () -> Void) throws(IndexError) {
        path = database + ".lock"
        descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .database(path: path, reason: "cannot open the lock file: \(String(cString: strerror(errno)))") }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            waiting()
            guard flock(descriptor, LOCK_EX) == 0 else {
                close(descriptor)
                throw .database(path: path, reason: "cannot lock: \(String(cString: strerror(errno)))")
            }
        }
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
