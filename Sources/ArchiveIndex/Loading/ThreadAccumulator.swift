import AomiAPI
import Foundation

/// What an index run has learned about one session since its last flush: its wallet, titles,
/// times, and its messages by position (with the hash of each message's JSON, so that a
/// message repeated unchanged in the next snapshot costs a comparison, not a decode).
struct ThreadAccumulator {
    struct Message {
        var hash: Int64
        var sender: String
        var content: String
        var toolResult: String?
        var timestamp: String?
        /// Its time in the conversation: its own timestamp, or when first seen where it has none.
        var time: String
        var firstSeen: String
        var lastSeen: String
        var record: Int64
        /// Its row in `messages`, when it has one.
        var rowID: Int64?
        var contentChanged: Bool
        var seenChanged: Bool
    }

    let session: String
    var wallet: String?
    var created: String?
    var firstSeen: String?
    var lastSeen: String?
    var title: (text: String, seen: String)?
    var titles: [(text: String, seen: String)] = []
    var messages: [Message] = []
    /// Hashes of the system events already stored for the session.
    var systemEvents: Set<Int64> = []
    var newSystemEvents: [Int64] = []
    var touched = false
    /// Whether the stored messages and system events were read in.
    var loaded = false

    init(session: String) {
        self.session = session
    }

    mutating func saw(at date: String?, wallet: String?) {
        touched = true
        if let wallet, self.wallet == nil { self.wallet = wallet }
        guard let date else { return }
        if firstSeen == nil || date < firstSeen! { firstSeen = date }
        if lastSeen == nil || date > lastSeen! { lastSeen = date }
    }

    mutating func titled(_ text: String, at date: String) {
        guard !text.isEmpty else { return }
        touched = true
        if !titles.contains(where: { $0.text == text }) { titles.append((text, date)) }
        if title == nil || date >= title!.seen { title = (text, date) }
    }

    /// Takes a snapshot's messages: unchanged ones (same hash at the same position) only move
    /// their last-seen time; new or grown ones are decoded.
    mutating func snapshot(messages ranges: [(range: Range<Int>, hash: Int64)], payload: [UInt8], at date: String, record: Int64) {
        touched = true
        for (position, (range, hash)) in ranges.enumerated() {
            if position < messages.count {
                if messages[position].hash == hash {
                    if date > messages[position].lastSeen {
                        messages[position].lastSeen = date
                        messages[position].record = record
                        messages[position].seenChanged = true
                    }
                    continue
                }
                guard date >= messages[position].lastSeen, let decoded = Self.decode(payload[range]) else { continue }
                messages[position].hash = hash
                messages[position].sender = decoded.sender
                messages[position].content = decoded.content
                messages[position].toolResult = decoded.toolResult
                messages[position].timestamp = decoded.timestamp
                messages[position].time = decoded.timestamp.flatMap(ConversationTime.parse) ?? messages[position].firstSeen
                messages[position].lastSeen = date
                messages[position].record = record
                messages[position].contentChanged = true
            } else if position == messages.count, let decoded = Self.decode(payload[range]) {
                messages.append(
                    Message(
                        hash: hash, sender: decoded.sender, content: decoded.content, toolResult: decoded.toolResult,
                        timestamp: decoded.timestamp, time: decoded.timestamp.flatMap(ConversationTime.parse) ?? date, firstSeen: date, lastSeen: date, record: record, rowID: nil,
                        contentChanged: true, seenChanged: true))
            }
        }
    }

    private static func decode(_ bytes: ArraySlice<UInt8>) -> (sender: String, content: String, toolResult: String?, timestamp: String?)? {
        if let scanned = MessageScanner.fields(of: bytes) { return scanned }
        guard let message = try? JSONCoding.decode(ChatMessage.self, from: bytes) else { return nil }
        let toolResult = message.toolResult.map { $0.joined(separator: "\n") }
        return (message.sender, message.content, toolResult, message.timestamp)
    }
}
