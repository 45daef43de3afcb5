import Foundation
import WARC

/// Says "this recorder is running" to every other process that shares its archive root.
///
/// Several `record` (and `crawl`) processes may write into one root at once. Each names its
/// files after its own id (`STAMP-ID-NUMBER.warc.gz.open`) and, before it creates any, takes an
/// exclusive `flock` on `ROOT/.recorders/ID.lock` for as long as it runs. The kernel drops that
/// lock when the process ends, however it ends, so at start a recorder repairs an `.open` file
/// only when no running process holds the lock of the id in its name: a live file of another
/// recorder is never cut or renamed under it.
public final class RecorderLock: Sendable {
    /// The folder of the lock files, under the archive root.
    public static let folder = ".recorders"

    public let id: String
    public let path: String
    private let descriptor: Int32

    /// Takes the lock of `id` under `root`, creating the folders as needed.
    public init(id: String, root: String) throws(RecorderLockError) {
        let directory = (root as NSString).appendingPathComponent(Self.folder)
        do {
            try WARCWriter.makeDirectory(directory)
        } catch {
            throw .unusable(path: directory, reason: "\(error)")
        }
        let path = Self.path(of: id, root: root)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .unusable(path: path, reason: String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            Glibc.close(descriptor)
            if code == EWOULDBLOCK { throw .taken(path: path) }
            throw .unusable(path: path, reason: String(cString: strerror(code)))
        }
        self.id = id
        self.path = path
        self.descriptor = descriptor
    }

    /// Gives the lock up and removes its file (a clean stop).
    deinit {
        unlink(path)
        Glibc.close(descriptor)
    }

    /// A fresh writer id: 8 random hex digits.
    public static func newID() -> String {
        String(UUID().uuidString.prefix(8)).lowercased()
    }

    static func path(of id: String, root: String) -> String {
        ((root as NSString).appendingPathComponent(folder) as NSString).appendingPathComponent(id + ".lock")
    }

    /// The writer id in an archive file's name (`STAMP-ID-NUMBER.warc.gz[.open]`), if it has one.
    public static func writerID(inFileName path: String) -> String? {
        let name = (path as NSString).lastPathComponent
        let parts = name.split(separator: "-")
        guard parts.count >= 3, parts[0].allSatisfy({ $0.isNumber || $0 == "T" || $0 == "Z" }) else { return nil }
        return parts[1...].dropLast().joined(separator: "-")
    }

    /// Whether a running process holds the lock of writer `id` under `root` (a recorder that is
    /// still running); false when no such lock file exists or nobody holds it.
    public static func isHeld(id: String, root: String) -> Bool {
        let descriptor = open(path(of: id, root: root), O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { Glibc.close(descriptor) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { return errno == EWOULDBLOCK }
        flock(descriptor, LOCK_UN)
        return false
    }

    /// Runs `work` while holding the lock of the writer that named `file`, when no running
    /// process holds it (its writer has stopped, or the name has no writer id); returns nil
    /// without running it when a running writer holds the lock. Holding the lock meanwhile
    /// keeps two starting recorders from repairing the same file at once.
    public static func whenWriterStopped<Result>(of file: String, root: String, _ work: () throws -> Result) throws -> Result? {
        guard let id = writerID(inFileName: file) else { return try work() }
        let path = path(of: id, root: root)
        let descriptor = open(path, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { return try work() }
        defer { Glibc.close(descriptor) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { return nil }
        let result = try work()
        // The writer's files are repaired: its lock file has nothing left to guard.
        unlink(path)
        return result
    }
}

/// Why a recorder could not say it is running.
public enum RecorderLockError: Error, Sendable, CustomStringConvertible {
    /// Another running process holds this id's lock.
    case taken(path: String)
    /// The lock file or its folder could not be made or locked.
    case unusable(path: String, reason: String)

    public var description: String {
        switch self {
        case let .taken(path): "\(path) is held by another running recorder with the same id"
        case let .unusable(path, reason): "cannot lock \(path): \(reason)"
        }
    }
}
