import Foundation

/// A full-text search with its filters. Times are compared as `WARC-Date` strings (UTC, ISO 8601).
public struct SearchQuery: Sendable {
    public var text: String
    public var wallet: String?
    public var session: String?
    public var sender: MessageSender?
    public var since: String?
    public var until: String?
    public var limit: Int
    /// Hits skipped before the first one returned (pages of results).
    public var offset = 0
    /// What the snippet puts around matched words.
    public var highlight: (open: String, close: String)
    /// How many of the newest matches bm25 ranks: a word in hundreds of thousands of messages
    /// is answered from its newest 2,000 in milliseconds (5,000 doubled the slowest searches
    /// over a million messages). A wallet or session filter usually leaves fewer than that.
    public var rankWindow: Int = 2_000

    public init(
        text: String, wallet: String? = nil, session: String? = nil, sender: MessageSender? = nil, since: String? = nil, until: String? = nil,
        limit: Int = 20, highlight: (open: String, close: String) = ("[", "]")
    ) {
        self.text = text
        self.wallet = wallet?.lowercased()
        self.session = session
        self.sender = sender
        self.since = since
        self.until = until
        self.limit = limit
        self.highlight = highlight
    }
}

extension SearchQuery {
    /// The filters of the flags and of the query text together, all of which must hold; nil
    /// when they cannot (`--sender user` with `from:agent`).
    func filters(with parsed: ParsedQuery) throws(IndexError) -> QueryFilters? {
        var filters = parsed.filters
        func combine(_ flag: String?, _ inline: inout String?, name: String) throws(IndexError) {
            guard let flag else { return }
            if let value = inline, value.lowercased() != flag.lowercased() {
                throw .invalidQuery(text, reason: "--\(name) \(flag) and \(name):\(value) cannot both hold")
            }
            inline = flag
        }
        try combine(wallet, &filters.wallet, name: "wallet")
        try combine(session, &filters.session, name: "session")
        if let sender {
            if !filters.senders.isEmpty, !filters.senders.contains(sender) { return nil }
            filters.senders = [sender]
        }
        if let since { filters.after = max(filters.after ?? since, since) }
        if let until { filters.before = min(filters.before ?? until, until) }
        return filters
    }
}

/// How many messages and sessions a search matched; `isCapped` when counting stopped (at the
/// newest `rankWindow` matches, which are all a search ranks).
public struct SearchTotals: Sendable, Codable, Equatable {
    public var messages: Int
    public var sessions: Int
    public var isCapped: Bool
    /// Hits, identical messages of a session counting once (what pages of results hold).
    public var hits: Int

    /// Where a count of a filters-only query stops.
    public static let countLimit = 10_000

    public init(messages: Int, sessions: Int, isCapped: Bool, hits: Int? = nil) {
        self.messages = messages
        self.sessions = sessions
        self.isCapped = isCapped
        self.hits = hits ?? messages
    }

    static let none = SearchTotals(messages: 0, sessions: 0, isCapped: false)

    /// Counts of a search's matches, capped where counting stops: at the rank window for
    /// words, at `countLimit` for filters only.
    init(counted messages: Int, sessions: Int, hits: Int, of query: SearchQuery, parsed: ParsedQuery) {
        let limit = parsed.fts5 == nil ? Self.countLimit : query.rankWindow
        self.init(messages: messages, sessions: sessions, isCapped: messages >= limit, hits: hits)
    }

    enum CodingKeys: String, CodingKey {
        case messages, sessions, hits
        case isCapped = "capped"
    }

    /// `23 messages in 7 sessions`, `2,000+ messages in 40 sessions`.
    public var summary: String {
        let count = messages.formatted(.number.grouping(.automatic))
        return "\(count)\(isCapped ? "+" : "") message\(messages == 1 && !isCapped ? "" : "s") in \(sessions) session\(sessions == 1 ? "" : "s")"
    }
}

/// One message that matched a search, best first.
public struct SearchHit: Sendable, Codable, Equatable {
    public var wallet: String?
    public var session: String
    public var title: String?
    /// The message's time in the conversation (its own timestamp, or when first recorded).
    public var time: String
    public var sender: String
    public var position: Int
    public var snippet: String
    public var rank: Double
    /// How many messages of this session with the same text this hit stands for.
    public var copies: Int = 1

    enum CodingKeys: String, CodingKey {
        case wallet, title, time, sender, position, snippet, rank, copies
        case session = "session_id"
    }
}

/// One thread of a wallet, as `threads` lists it. Activity is conversation time (the
/// messages' own timestamps); `firstSeen` and `lastSeen` are when recordings held the thread.
public struct ThreadListing: Sendable, Codable, Equatable {
    public var session: String
    public var wallet: String?
    public var title: String?
    public var messages: Int
    public var firstActivity: String?
    public var lastActivity: String?
    public var firstSeen: String?
    public var lastSeen: String?

    enum CodingKeys: String, CodingKey {
        case wallet, title
        case session = "session_id"
        case messages = "message_count"
        case firstActivity = "first_activity"
        case lastActivity = "last_activity"
        case firstSeen = "first_seen"
        case lastSeen = "last_seen"
    }
}

/// A session's conversation in order: messages, tool events, title changes, system events.
public struct Transcript: Sendable, Codable, Equatable {
    /// One line of a transcript.
    public struct Entry: Sendable, Codable, Equatable {
        public var kind: Kind
        /// A message's conversation time; the arrival time of an event or a title change,
        /// which is the only time they have.
        public var time: String
        /// The sender of a message, the type of an event.
        public var label: String
        public var text: String
        public var toolResult: String?
        /// A message's place in its thread.
        public var position: Int?
        /// A message's timestamp as the backend sent it (nil when it sent none).
        public var timestamp: String?
        /// When recordings first and last held a message (capture time).
        public var firstSeen: String?
        public var lastSeen: String?

        public init(
            kind: Kind, time: String, label: String, text: String, toolResult: String? = nil, position: Int? = nil, timestamp: String? = nil,
            firstSeen: String? = nil, lastSeen: String? = nil
        ) {
            self.kind = kind
            self.time = time
            self.label = label
            self.text = text
            self.toolResult = toolResult
            self.position = position
            self.timestamp = timestamp
            self.firstSeen = firstSeen
            self.lastSeen = lastSeen
        }

        enum CodingKeys: String, CodingKey {
            case kind, time, label, text, position, timestamp
            case toolResult = "tool_result"
            case firstSeen = "first_seen"
            case lastSeen = "last_seen"
        }
    }

    /// What a transcript line is (its JSON value is the raw value).
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A chat message; `label` is its sender.
        case message
        /// An SSE event from `/api/updates`; `label` is its type.
        case event
        /// A system event (a wallet request, a notice); `label` is its type.
        case system
        /// A title change.
        case title
    }

    public var session: String
    public var wallet: String?
    public var title: String?
    public var titles: [String]
    public var entries: [Entry]
    /// The session this one reruns (`aomi-archive rerun`), if it is a rerun.
    public var rerunOf: String? = nil
    /// The sessions that rerun this one, oldest first.
    public var reruns: [String] = []

    enum CodingKeys: String, CodingKey {
        case wallet, title, titles, entries, reruns
        case session = "session_id"
        case rerunOf = "rerun_of"
    }
}
