import Foundation
import TestSupport
import Testing

@testable import ObjectStore

/// `StoreMirror` against a real S3 endpoint: a copy is made of what the filter takes (keys
/// that would leave the folder refused), changes are put back in order (rewrites, new
/// files, then deletions), and a rewrite by another writer after the copy is never undone.
@Suite(.tags(.objectStore), .needs(.ceph), .serialized)
struct StoreMirrorTests {
    /// Rewrites a file as the commands do: written beside it, renamed over it (a new inode).
    private func replace(_ path: String, with text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path + ".new"))
        #expect(rename(path + ".new", path) == 0)
    }

    @Test(.timeLimit(.minutes(5)))
    func changesGoBackAndAnotherWritersRewriteIsNeverUndone() async throws {
        try await CephGateway.with { store in
            let location = try StoreLocation("s3://aomi-mirror/p")
            let client = try ObjectStoreClient(location: location, environment: store.environment)
            try await client.createBucket()
            for name in ["w/a.warc.gz", "w/b.warc.gz", "w/c.warc.gz", "w/skip.txt", "w/../../escape.warc.gz"] {
                try await client.put(key: location.key(for: name), bytes: Array("version 1 of \(name)".utf8))
            }
            let parent = TemporaryDirectory.path("aomi-mirror-parent")
            defer { try? FileManager.default.removeItem(atPath: parent) }
            let folder = try MirrorFolder(parent: parent)
            let includes: @Sendable (String) -> Bool = { $0.hasSuffix(".warc.gz") }
            let mirror = try await StoreMirror.make(client: client, location: location, folder: folder.path, includes: includes)
            #expect(mirror.copied.objects == 3)
            #expect(mirror.refusedKeys == ["p/w/../../escape.warc.gz"])
            #expect(!FileManager.default.fileExists(atPath: folder.path + "/w/skip.txt"))
            #expect(try String(contentsOfFile: mirror.path(of: "w/a.warc.gz"), encoding: .utf8) == "version 1 of w/a.warc.gz")
            #expect(mirror.changes().isEmpty)

            // a rewritten (renamed over), b deleted, d new.
            try replace(mirror.path(of: "w/a.warc.gz"), with: "version 2 of a")
            try FileManager.default.removeItem(atPath: mirror.path(of: "w/b.warc.gz"))
            try Data("new d".utf8).write(to: URL(fileURLWithPath: mirror.path(of: "w/d.warc.gz")))
            var steps: [MirrorChanges.Step] = []
            let published = try await mirror.publish { steps.append($0) }
            #expect(published.rewritten == ["w/a.warc.gz"] && published.removed == ["w/b.warc.gz"] && published.created == ["w/d.warc.gz"])
            #expect(steps == [.put("w/a.warc.gz"), .put("w/d.warc.gz"), .deleted("w/b.warc.gz")], "every put before any deletion")
            #expect(try await client.get(key: "p/w/a.warc.gz") == Array("version 2 of a".utf8))
            #expect(try await client.head(key: "p/w/b.warc.gz") == nil)
            #expect(try await client.get(key: "p/w/d.warc.gz") == Array("new d".utf8))

            // Another writer rewrites c after the copy: the copy's rewrite of c fails, c stays theirs.
            let second = try await StoreMirror.make(client: client, location: location, folder: folder.path + "-2", includes: includes)

            try await client.put(key: "p/w/c.warc.gz", bytes: Array("their c".utf8))
            try replace(second.path(of: "w/c.warc.gz"), with: "our c")
            do {
                try await second.publish()
                Issue.record("a rewrite over another writer's went through")
            } catch let error as StoreError {
                #expect(error.isConflict, "\(error)")
            }
            #expect(try await client.get(key: "p/w/c.warc.gz") == Array("their c".utf8))

            // So does a new file whose key another writer took meanwhile.
            let third = try await StoreMirror.make(client: client, location: location, folder: folder.path + "-3", includes: includes)

            try Data("ours".utf8).write(to: URL(fileURLWithPath: third.path(of: "w/e.warc.gz")))
            try await client.put(key: "p/w/e.warc.gz", bytes: Array("theirs".utf8))
            await #expect(throws: StoreError.self) { try await third.publish() }
            #expect(try await client.get(key: "p/w/e.warc.gz") == Array("theirs".utf8))
        }
    }

    @Test func aMirrorFolderOfADeadProcessIsRemovedByTheNextOne() throws {
        let parent = TemporaryDirectory.path("aomi-mirror-dead")
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: parent) }
        // A PID that cannot be running: above the kernel's largest.
        let dead = parent + "/aomi-archive-mirror-99999999-deadbeef"
        let alive = parent + "/aomi-archive-mirror-\(getppid())-cafebabe"
        for folder in [dead, alive] { try FileManager.default.createDirectory(atPath: folder + "/w", withIntermediateDirectories: true) }
        let mine = try MirrorFolder(parent: parent)
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: alive), "a running process's copy stays")
        #expect(FileManager.default.fileExists(atPath: mine.path))
        mine.remove()
        #expect(!FileManager.default.fileExists(atPath: mine.path))
    }
}
