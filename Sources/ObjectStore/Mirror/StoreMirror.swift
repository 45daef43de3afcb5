import Foundation

/// A local copy of the objects under a store location, for the commands that rewrite archive
/// files (`compact`, `forget`, `prune`): they run on the copy as on a root, then `publish`
/// puts back what they changed, with the same crash safety as on a disk: every new version is
/// written (a `PUT` replaces an object whole, or not at all) before any object is deleted.
///
/// A rewrite is conditional on the object still being the version that was copied
/// (`PutCondition.replacing`): a process that rewrote it meanwhile makes the publish fail
/// with a conflict instead of being undone by it.
public struct StoreMirror: Sendable {
    public let client: ObjectStoreClient
    public let location: StoreLocation
    /// The folder the objects are copied into, each at its path under the prefix.
    public let folder: String
    /// Which paths under the prefix are copied (and, when a new file appears, put).
    private let includes: @Sendable (String) -> Bool
    /// Each copied object by its path under the prefix, with the copy's state once written.
    private let copies: [String: Copy]
    /// Keys under the prefix that no local path can stand for (an empty, `.` or `..` segment)
    /// and whose name `includes` takes: objects the command would have worked on, and did not.
    public let refusedKeys: [String]

    struct Copy: Sendable {
        var object: StoreObject
        var stamp: FileStamp
    }

    /// Copies every object under `location` whose path `includes` into `folder` (created).
    public static func make(
        client: ObjectStoreClient, location: StoreLocation, folder: String, includes: @escaping @Sendable (String) -> Bool
    ) async throws(StoreError) -> StoreMirror {
        var wanted: [(relative: String, object: StoreObject)] = []
        var refused: [String] = []
        for object in try await client.list(prefix: location.listingPrefix) {
            guard let relative = location.relativePath(of: object.key) else { continue }
            if !Self.isSafe(relative) {
                if includes((relative as NSString).lastPathComponent) { refused.append(object.key) }
            } else if includes(relative) {
                wanted.append((relative, object))
            }
        }
        let copied = try await ConcurrentTransfers.map(wanted) { (relative, object) async throws(StoreError) -> (String, Copy) in
            let path = (folder as NSString).appendingPathComponent(relative)
            try Self.makeFolder((path as NSString).deletingLastPathComponent)
            try await client.download(object, to: path)
            guard let stamp = FileStamp(path: path) else { throw .localFile(path: path, reason: "vanished after its download") }
            return (relative, Copy(object: object, stamp: stamp))
        }
        let copies = Dictionary(copied, uniquingKeysWith: { first, _ in first })
        return StoreMirror(client: client, location: location, folder: folder, includes: includes, copies: copies, refusedKeys: refused)
    }

    /// How many objects were copied, and their bytes.
    public var copied: (objects: Int, bytes: Int64) { (copies.count, copies.values.reduce(Int64(0)) { $0 + $1.object.size }) }

    /// The local path of the copy of `relative`.
    public func path(of relative: String) -> String { (folder as NSString).appendingPathComponent(relative) }

    /// What a command changed in the copy since it was made.
    public func changes() -> MirrorChanges {
        var changes = MirrorChanges()
        for (relative, copy) in copies.sorted(by: { $0.key < $1.key }) {
            guard let stamp = FileStamp(path: path(of: relative)) else {
                changes.removed.append(relative)
                continue
            }
            if stamp != copy.stamp { changes.rewritten.append(relative) }
        }
        changes.created = localFiles().filter { copies[$0] == nil }
        return changes
    }

    /// Puts back what changed: rewritten files replace their objects (only if those are still
    /// the versions copied), new files become objects (only if none has the key), and only
    /// then are the objects of removed files deleted. Run again after a failure, a publish of
    /// the same copy picks up where it stopped. `onStep` is told each object once done.
    @discardableResult
    public func publish(onStep: (MirrorChanges.Step) throws -> Void = { _ in }) async throws(StoreError) -> MirrorChanges {
        let changes = changes()
        for relative in changes.rewritten {
            let copy = copies[relative]!
            try await client.putChecked(key: copy.object.key, file: path(of: relative), condition: .replacing(etag: copy.object.etag))
            try Self.report(onStep, .put(relative))
        }
        for relative in changes.created {
            try await client.putChecked(key: location.key(for: relative), file: path(of: relative), condition: .creating)
            try Self.report(onStep, .put(relative))
        }
        for relative in changes.removed {
            try await client.delete(key: copies[relative]!.object.key)
            try Self.report(onStep, .deleted(relative))
        }
        return changes
    }

    private static func report(_ onStep: (MirrorChanges.Step) throws -> Void, _ step: MirrorChanges.Step) throws(StoreError) {
        do { try onStep(step) } catch { throw .localFile(path: "\(step)", reason: "stopped there: \(error)") }
    }

    /// The files under the folder that `includes` takes, by path under it.
    private func localFiles() -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            guard includes(relative), FileStamp(path: path(of: relative)) != nil else { continue }
            found.append(relative)
        }
        return found.sorted()
    }

    /// A path that stays under the folder: no empty, `.` or `..` segment, not absolute.
    public static func isSafe(_ relative: String) -> Bool {
        let segments = relative.split(separator: "/", omittingEmptySubsequences: false)
        return !segments.isEmpty && segments.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." && !$0.contains("\0") }
    }

    private static func makeFolder(_ path: String) throws(StoreError) {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw .localFile(path: path, reason: "\(error)")
        }
    }
}

/// What a command changed in a `StoreMirror`, by path under the prefix.
public struct MirrorChanges: Sendable, Equatable {
    public var rewritten: [String] = []
    public var created: [String] = []
    public var removed: [String] = []

    public init() {}

    public var isEmpty: Bool { rewritten.isEmpty && created.isEmpty && removed.isEmpty }

    /// One object of a publish, once done.
    public enum Step: Sendable, Equatable, CustomStringConvertible {
        case put(String)
        case deleted(String)

        public var description: String {
            switch self {
            case let .put(path): "put \(path)"
            case let .deleted(path): "deleted \(path)"
            }
        }
    }
}
