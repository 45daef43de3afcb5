import Foundation
import Synchronization

/// The tests' one way to scratch folders, all under the system's temporary folder and named
/// `LABEL-XXXXXXXX`: an instance is a folder made now and removed when it is dropped;
/// `path(_:)` names a fresh folder for a tool that makes it itself (a recorder, `initdb`);
/// `removeAtExit(_:)` is for what a suite makes once and shares among its tests (a recorded
/// archive), which no single test may remove.
public final class TemporaryDirectory: Sendable {
    public let path: String

    /// Makes a new empty folder.
    public init(_ label: String = "aomi-tests") {
        path = Self.path(label)
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A path inside the folder.
    public func file(_ name: String) -> String {
        (path as NSString).appendingPathComponent(name)
    }

    /// The folder's files whose names end with `suffix`, in name order.
    public func files(withSuffix suffix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted().map(file)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// A fresh path, not made.
    public static func path(_ label: String) -> String {
        (NSTemporaryDirectory() as NSString).appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))")
    }

    /// Removes `path` when the process exits.
    public static func removeAtExit(_ path: String) {
        atExit.withLock { state in
            state.paths.append(path)
            if !state.registered {
                state.registered = true
                atexit { TemporaryDirectory.removeAll() }
            }
        }
    }

    private static let atExit = Mutex<(paths: [String], registered: Bool)>(([], false))

    private static func removeAll() {
        for path in atExit.withLock({ $0.paths }) { try? FileManager.default.removeItem(atPath: path) }
    }
}
