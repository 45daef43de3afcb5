import Foundation

/// The working folder of a `StoreMirror`: `$TMPDIR/aomi-archive-mirror-PID-RANDOM`, removed
/// when the command ends. The copy holds what a forget is about to erase, so the folders of
/// processes that died (their PID gone) are removed by the next one to start.
public struct MirrorFolder: Sendable {
    public let path: String
    static let namePrefix = "aomi-archive-mirror-"

    /// Creates a new folder under `parent` (default: the temporary folder), first removing the
    /// folders there of mirrors whose process is gone.
    public init(parent: String = NSTemporaryDirectory()) throws(StoreError) {
        Self.removeAbandoned(under: parent)
        path = (parent as NSString).appendingPathComponent("\(Self.namePrefix)\(getpid())-\(UUID().uuidString.prefix(8).lowercased())")
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) } catch {
            throw .localFile(path: path, reason: "\(error)")
        }
    }

    /// Removes the folder and all it holds.
    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The folders `PREFIXPID-…` under `parent` whose process is not running any more.
    static func removeAbandoned(under parent: String, namePrefix: String = MirrorFolder.namePrefix) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return }
        for name in names where name.hasPrefix(namePrefix) {
            guard let pid = Int32(name.dropFirst(namePrefix.count).prefix { $0 != "-" }), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(atPath: (parent as NSString).appendingPathComponent(name)) }
        }
    }
}
