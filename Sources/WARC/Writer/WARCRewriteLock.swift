import Glibc

/// Says "this file is being rewritten" to every process that shares it: an exclusive `flock`
/// on the file itself, held from before the file is read until its replacement
/// (`WARCReplacementFile`) is renamed over it or abandoned. Compaction (`compact`,
/// `record --compact-on-close`) and repair (`inspect --repair`) take it, so two rewrites of
/// one file never write the same `FILE.replacing` at once, and a leftover `FILE.replacing` is
/// removed only by a process that holds the lock, when its writer is gone. The kernel drops
/// the lock when its process ends, however it ends.
public final class WARCRewriteLock {
    public let path: String
    private var descriptor: Int32

    /// Takes the lock of `path` without waiting; nil when another process (or another
    /// rewrite in this one) holds it. The lock is on the file `path` names when it is taken:
    /// one that was replaced meanwhile is looked at again.
    public init?(path: String) throws(WARCWriterError) {
        self.path = path
        descriptor = -1
        for _ in 0..<8 {
            let opened = open(path, O_RDONLY | O_CLOEXEC)
            guard opened >= 0 else { throw .io(path: path, operation: "open to lock", errno: errno) }
            guard flock(opened, LOCK_EX | LOCK_NB) == 0 else {
                let code = errno
                close(opened)
                if code == EWOULDBLOCK { return nil }
                throw .io(path: path, operation: "lock", errno: code)
            }
            // Renamed over while we waited for nothing: the lock is on a file `path` no longer names.
            var locked = stat()
            var named = stat()
            if fstat(opened, &locked) == 0, stat(path, &named) == 0, locked.st_ino == named.st_ino, locked.st_dev == named.st_dev {
                descriptor = opened
                return
            }
            close(opened)
        }
        throw .io(path: path, operation: "lock (the file kept being replaced)", errno: EAGAIN)
    }

    deinit {
        release()
    }

    /// Gives the lock up (once the replacement is in place or abandoned).
    public func release() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }
}
