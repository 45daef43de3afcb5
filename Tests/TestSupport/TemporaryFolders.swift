import Foundation
import Synchronization

/// The one way tests make scratch folders: `make` for a test's own (removed by the test with
/// `remove`), `removeAtExit` for what a suite makes once and shares among its tests (a
/// recorded archive), which no single test may remove.
public enum TemporaryFolders {
    /// A new empty folder under the system's temporary folder, named `aomi-PREFIX-XXXXXXXX`.
    public static func make(_ prefix: String) throws -> String {
        let path = path(prefix)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A fresh path under the system's temporary folder, not created (for tools that create it).
    public static func path(_ prefix: String) -> String {
        NSTemporaryDirectory() + "aomi-\(prefix)-\(UUID().uuidString.prefix(8))"
    }

    /// Removes a folder made by `make`, with everything in it.
    public static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

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
