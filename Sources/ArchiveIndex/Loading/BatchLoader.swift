import AomiAPI
import AomiArchive
import Foundation
import WARC

/// Loads one batch of a file's records inside one transaction: a `records` row each, and
/// what they say about sessions, messages, titles and events, written at `flush()`, through
/// the store's `BatchWriter`.
struct BatchLoader {
    struct Counts {
        var records = 0
        var messages = 0
        var events = 0
        var relocated = 0
        var damage: [WARCDamage] = []
    }

    let writer: any BatchWriter
    let file: ArchiveFile
    private(set) var counts = Counts()
    private var threads: [String: ThreadAccumulator] = [:]
    /// A whole stream (`export --playable`) until the next record, which should be its event
    /// list (the times of its events).
    private var wholeStream: WholeStreamResponse?
    /// Sessions of this batch whose rerun link was written.
    private var reruns: Set<String> = []

    var recordsLoaded: Int { counts.records }

    /// True for a file rewritten with the same records (compacted): a record the index knows
    /// by its id only moves to where it is now stored, and nothing derived from it changes.
    let relocating: Bool

    init(writer: any BatchWriter, file: ArchiveFile, relocating: Bool = false) {
        self.writer = writer
        self.file = file
        self.relocating = relocating
    }

    mutating func load(_ events: [PreparedEvent]) throws {
        for event in events {
            switch event {
            case let .record(prepared):
                if let waiting = takeWholeStream() { try loadWholeStream(waiting, eventList: prepared.stored.record) }
                try load(prepared)
            case let .damage(damage): try note(damage)
            }
        }
    }

    private mutating func note(_ found: WARCDamage) throws {
        // Named by the path the index keeps, not by the local copy it was read from.
        var damage = found
        damage.file = file.path
        let atTail = damage.offset + damage.length >= file.size
        if file.isOpen, atTail, damage.kind == .truncatedMember || damage.kind == .truncatedRecord { return }
        try writer.insertDamage(damage)
        counts.damage.append(damage)
    }

    // MARK: Records

    private mutating func load(_ prepared: PreparedRecord) throws {
        let stored = prepared.stored
        let record = stored.record
        let fields = prepared.fields
        let session = fields.session
        let wallet = fields.wallet
        let date = fields.date
        let status = prepared.status
        if relocating, try relocate(stored, recordID: fields.recordID) { return }
        guard let row = try writer.insertRecord(prepared) else { return }
        counts.records += 1
        if let session { withThread(session) { $0.saw(at: date, wallet: wallet) } }
        if let session, let original = fields.rerunOf, record.type == .request, reruns.insert(session).inserted {
            try writer.insertRerun(session: session, original: original, seen: date)
        }
        guard let date else { return }
        switch record.type {
        case .response where fields.segmentNumber == nil && status == 200 && prepared.path == AomiPath.updates:
            guard let payload = record.httpPayload, let recordID = fields.recordID else { return }
            wholeStream = WholeStreamResponse(recordID: recordID, body: Array(payload), session: session, date: date, row: row)
        case .response where fields.segmentNumber == nil && status == 200:
            if let snapshot = prepared.snapshot {
                if let session { try apply(snapshot, session: session, date: date, record: row) }
                return
            }
            guard let payload = record.httpPayload, let path = prepared.path else { return }
            try response(payload: Array(payload), path: path, session: session, wallet: wallet, date: date, record: row)
        case .continuation:
            try continuation(record.block, session: session, date: date, record: row)
        default:
            break
        }
    }

    /// Moves the file's row of the record with this id to where it is stored now; false when
    /// the index has no such row (the record is then loaded as new).
    private mutating func relocate(_ stored: WARCStoredRecord, recordID: String?) throws -> Bool {
        guard let recordID, try writer.relocate(stored, recordID: recordID) else { return false }
        counts.relocated += 1
        return true
    }

    private mutating func response(payload: [UInt8], path: String, session: String?, wallet: String?, date: String, record: Int64) throws {
        switch path {
        case AomiPath.sessions:
            if let threads = try? JSONCoding.decode([ThreadSummary].self, from: payload) {
                for listed in threads {
                    withThread(listed.sessionID) {
                        $0.saw(at: nil, wallet: wallet)
                        $0.titled(listed.title, at: date)
                    }
                }
            } else if let created = try? JSONCoding.decode(ThreadSummary.self, from: payload) {
                withThread(created.sessionID) {
                    $0.saw(at: date, wallet: wallet)
                    if $0.created == nil { $0.created = date }
                    $0.titled(created.title, at: date)
                }
            }
        case AomiPath.events:
            guard let session, let list = try? JSONCoding.decode([JSONValue].self, from: payload) else { return }
            try systemEvents(list.map { JSONCoding.encode($0) }, session: session, date: date, record: record)
        default:
            if path.hasPrefix(AomiPath.sessions + "/"), let one = try? JSONCoding.decode(ThreadSummary.self, from: payload) {
                withThread(one.sessionID) { $0.titled(one.title, at: date) }
            }
        }
    }

    private mutating func apply(_ snapshot: PreparedSnapshot, session: String, date: String, record: Int64) throws {
        if let messages = snapshot.messages {
            try loadThread(session)
            threads[session]!.snapshot(messages: messages, payload: snapshot.payload, at: date, record: record)
        }
        if let title = snapshot.title { withThread(session) { $0.titled(title, at: date) } }
        if !snapshot.systemEvents.isEmpty {
            try systemEvents(snapshot.systemEvents, session: session, date: date, record: record)
        }
    }

    private mutating func systemEvents(_ events: [[UInt8]], session: String, date: String, record: Int64) throws {
        try loadThread(session)
        for (position, event) in events.enumerated() {
            let hash = event.withUnsafeBufferPointer { JSONScanner(bytes: $0).hash(0..<$0.count) }
            guard !threads[session]!.systemEvents.contains(hash) else { continue }
            threads[session]!.systemEvents.insert(hash)
            threads[session]!.newSystemEvents.append(hash)
            let value = try? JSONCoding.decode(JSONValue.self, from: event)
            try insertEvent(
                session: session, source: "system", type: value.flatMap(Self.systemEventType), data: String(decoding: event, as: UTF8.self),
                time: date, record: record, position: position)
        }
    }

    /// Loads a whole stream's events. With its event list (the record after it), each event
    /// has the time it arrived, as the replay reads it; without, the response's time.
    mutating func loadWholeStream(_ stream: WholeStreamResponse, eventList list: WARCRecord?) throws {
        guard let list, WholeStream.isEventList(list), list.headers[WARCField.concurrentTo] == stream.recordID else {
            try continuation(stream.body, session: stream.session, date: stream.date, record: stream.row)
            return
        }
        let timed = WholeStream.events(body: stream.body[...], metadata: list.block).events
        var position = 0
        for event in timed {
            position = try continuation(event.bytes, session: stream.session, date: event.date, record: stream.row, firstPosition: position)
        }
    }

    /// The stream waiting for its event list when the batch ends.
    mutating func takeWholeStream() -> WholeStreamResponse? {
        defer { wholeStream = nil }
        return wholeStream
    }

    /// Loads the SSE events in `block`, numbered from `firstPosition`; returns the next number.
    @discardableResult
    private mutating func continuation(_ block: [UInt8], session: String?, date: String, record: Int64, firstPosition: Int = 0) throws -> Int {
        var parser = ServerSentEventParser()
        var position = firstPosition
        for event in parser.feed(block) {
            defer { position += 1 }
            guard let data = event.data else { continue }
            let update = event.updateEvent
            let owner = update?.sessionID ?? session
            if let update, update.type == UpdateEvent.Kind.titleChanged, let title = update.newTitle, let owner {
                withThread(owner) { $0.titled(title, at: date) }
            }
            try insertEvent(session: owner, source: "sse", type: update?.type, data: data, time: date, record: record, position: position)
        }
        return position
    }

    private mutating func insertEvent(session: String?, source: String, type: String?, data: String, time: String, record: Int64, position: Int) throws {
        if try writer.insertEvent(EventRow(session: session, source: source, type: type, data: data, time: time, record: record, position: position)) {
            counts.events += 1
        }
    }

    private static func systemEventType(_ value: JSONValue) -> String? {
        guard case let .object(fields) = value, let (tag, inner) = fields.first else { return nil }
        if let type = inner["type"]?.stringValue { return "\(tag):\(type)" }
        return tag
    }

    // MARK: Threads

    var touchedSessions: [String] { threads.values.filter(\.touched).map(\.session).sorted() }

    func accumulator(_ session: String) -> ThreadAccumulator { threads[session]! }

    mutating func countMessage() { counts.messages += 1 }

    private mutating func withThread(_ session: String, _ change: (inout ThreadAccumulator) -> Void) {
        change(&threads[session, default: ThreadAccumulator(session: session)])
    }

    /// Brings a session's stored messages and system events into memory (once per batch).
    private mutating func loadThread(_ session: String) throws {
        if threads[session] == nil { threads[session] = ThreadAccumulator(session: session) }
        guard !threads[session]!.loaded else { return }
        threads[session]!.loaded = true
        let stored = try writer.storedThread(session)
        threads[session]!.messages = stored.messages
        threads[session]!.systemEvents = stored.systemEvents
    }
}
