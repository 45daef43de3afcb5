import Foundation
import Synchronization

/// Folders a test process removes when it exits: for what a suite makes once and shares
/// among its tests (a recorded archive), which no single test may remove.
public enum TemporaryFolders {
    private static let folders = Mutex<[String]>([])
    private static let registered = Mutex(false)

    /// Removes `path` when the process exits.
    public static func removeAtExit(_ path: String) {
        folders.withLock { $0.append(path) }
        let first = registered.withLock { registered in
            defer { registered = true }
            return !registered
        }
        if first { atexit { TemporaryFolders.removeAll() } }
    }

    private static func removeAll() {
        for path in folders.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: path) }
    }
}
