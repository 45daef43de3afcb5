import Foundation
import Recorder
import Synchronization
import TestSupport
import Testing

/// The redaction key of an archive root, made once however many recorders start together.
@Suite struct RedactionKeyTests {
    @Test func recordersStartingTogetherAllGetTheOneKeyOnDisk() throws {
        for round in 0..<20 {
            let root = TemporaryDirectory.path("aomi-key-\(round)")
            defer { try? FileManager.default.removeItem(atPath: root) }
            let outcomes = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 8) { _ in
                let outcome = (try? RedactionKey.loadOrCreate(root: root).id) ?? "failed"
                outcomes.withLock { $0.append(outcome) }
            }
            let onDisk = try RedactionKey.loadOrCreate(root: root).id
            #expect(outcomes.withLock { $0 } == Array(repeating: onDisk, count: 8), "round \(round)")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: root).filter { $0 != RedactionKey.fileName }
            #expect(leftovers.isEmpty, "no draft is left behind: \(leftovers)")
        }
    }
}
