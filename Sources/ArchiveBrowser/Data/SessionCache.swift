import AomiArchive
import Conversation
import Foundation
import Synchronization

/// A session read from its files, with its turns: both are kept while the files are
/// unchanged (reading the turns decodes every snapshot, which costs as much as the pages).
struct ReadSession: Sendable {
    let recorded: RecordedSession
    let turns: [ConversationTurn]

    init(_ recorded: RecordedSession) {
        self.recorded = recorded
        turns = RecordedConversation(recorded).turns
    }
}

/// The sessions the browser read from the archive files most recently, each with the sizes
/// of the files it was read from: a session is read again only when one of them changed
/// (a recorder still writing) or it was pushed out by newer ones.
final class SessionCache: Sendable {
    private struct Entry {
        let signature: [String: UInt64]
        let session: ReadSession?
        var used: UInt64
    }

    private let capacity: Int
    private let entries = Mutex<(items: [String: Entry], clock: UInt64)>(([:], 0))

    init(capacity: Int = 32) {
        self.capacity = capacity
    }

    /// The session as read from `files`, from the cache when none of them changed size.
    func session(_ id: String, files: [String], read: () throws -> ReadSession?) rethrows -> ReadSession? {
        let signature = Self.signature(of: files)
        let cached = entries.withLock { state -> Entry? in
            guard var entry = state.items[id], entry.signature == signature else { return nil }
            state.clock += 1
            entry.used = state.clock
            state.items[id] = entry
            return entry
        }
        if let cached { return cached.session }
        let session = try read()
        entries.withLock { state in
            state.clock += 1
            state.items[id] = Entry(signature: signature, session: session, used: state.clock)
            if state.items.count > capacity, let oldest = state.items.min(by: { $0.value.used < $1.value.used })?.key {
                state.items[oldest] = nil
            }
        }
        return session
    }

    /// Drops the sessions `isGone` says the index no longer knows (forgotten, pruned): their
    /// transcripts leave the browser's memory too, not only its pages.
    func purge(where isGone: (String) -> Bool) {
        let ids = entries.withLock { Array($0.items.keys) }
        let gone = Set(ids.filter(isGone))
        guard !gone.isEmpty else { return }
        entries.withLock { state in for id in gone { state.items[id] = nil } }
    }

    /// The sessions held now.
    var sessionIDs: Set<String> { entries.withLock { Set($0.items.keys) } }

    private static func signature(of files: [String]) -> [String: UInt64] {
        var sizes: [String: UInt64] = [:]
        for file in files {
            sizes[file] = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? UInt64) ?? 0
        }
        return sizes
    }
}
