import ArchiveIndex
import Conversation

/// The data of the wallets page (`/`), also served as JSON.
public struct WalletsModel: Sendable, Codable {
    public var wallets: [WalletListing]
    public var page: Int
    public var hasMore: Bool
    public var indexedAt: String?
    /// Exchanges recorded without a session (listed at `/unbound`).
    public var sessionlessExchanges: Int

    enum CodingKeys: String, CodingKey {
        case wallets, page
        case hasMore = "has_more"
        case indexedAt = "indexed_at"
        case sessionlessExchanges = "sessionless_exchanges"
    }
}

/// The exchanges recorded without a session (`/unbound`): how many, and the newest of them.
public struct SessionlessModel: Sendable, Codable {
    public var count: Int
    public var exchanges: [SessionlessExchange]
}

/// The data of the usage page (`aomi-archive du` in the browser): what the root keeps per
/// wallet or per day, and the total.
public struct UsageModel: Sendable, Codable {
    /// `wallet` or `day`.
    public var by: String
    public var rows: [ArchiveUsage.Row]
    public var total: ArchiveUsage.Row
}

/// The data of a wallet's page: its threads (with every title they had) and its activity.
public struct WalletModel: Sendable, Codable {
    public var wallet: String
    public var threads: [ThreadListing]
    /// Earlier and current titles, by session.
    public var titles: [String: [String]]
    public var activity: [DailyActivity]
    /// `day`, or `hour` when the wallet's messages span a day or less.
    public var activityUnit: String

    enum CodingKeys: String, CodingKey {
        case wallet, threads, titles, activity
        case activityUnit = "activity_unit"
    }
}

/// The data of a session's page: its transcript, its exchanges, where its records are.
public struct SessionModel: Sendable, Codable {
    public var transcript: Transcript
    public var exchanges: [ExchangeSummary]
    /// Commands that replay, verify and export the session, ready to copy.
    public var commands: [String]
    /// The exchange that first delivered each message, by the message's position.
    public var messageSources: [Int: Int] = [:]
    /// The session as turns, read from its records, and their summary.
    public var turns: [ConversationTurn] = []
    public var summary: ConversationSummary

    enum CodingKeys: String, CodingKey {
        case transcript, exchanges, commands, turns, summary
        case messageSources = "message_sources"
    }
}

/// A rerun beside its original (`/sessions/{rerun}/compare`): every turn, both sides, what differs.
public struct ComparisonModel: Sendable, Codable {
    public var comparison: ConversationComparison
    public var originalTitle: String?
    public var rerunTitle: String?
}

/// One exchange in full: heads, bodies, SSE events, where its records are.
public struct ExchangeModel: Sendable, Codable {
    public struct Message: Sendable, Codable {
        /// `GET /api/state?…` for a request, `200 OK` for a response.
        public var line: String
        public var date: String
        public var fields: [[String]]
        public var body: String
        /// File (under the archive root) and offset of the record (of its bundle, in a
        /// compacted file, with its position in the bundle).
        public var file: String
        public var offset: Int64
        public var positionInBundle: Int?
        public var payloadDigest: String?

        enum CodingKeys: String, CodingKey {
            case line, date, fields, body, file, offset
            case positionInBundle = "bundle_position"
            case payloadDigest = "payload_digest"
        }
    }

    public struct Event: Sendable, Codable {
        public var time: String
        public var data: String
    }

    public var sessionID: String
    public var summary: ExchangeSummary
    public var request: Message
    public var response: Message
    public var events: [Event]
    /// The query decoded: name and value (JSON values pretty-printed).
    public var parameters: [[String]]
    /// The exchanges before and after it in the session.
    public var previous: Int?
    public var next: Int?
    /// For a poll: what changed in the answer since the previous poll of the same path
    /// (nil for other exchanges and the first poll), and that poll's number.
    public var changesSincePreviousPoll: [String]?
    public var previousPoll: Int?
    /// The request as a `curl` command.
    public var curl: String

    enum CodingKeys: String, CodingKey {
        case summary, request, response, events, parameters, previous, next, curl
        case sessionID = "session_id"
        case changesSincePreviousPoll = "changes_since_previous_poll"
        case previousPoll = "previous_poll"
    }
}

/// A search page: the query as typed and as understood, a page of hits, or why it cannot run.
public struct SearchModel: Sendable, Codable {
    public var query: String
    public var understood: String?
    public var page: Int
    public var hits: [SearchHit]
    public var hasMore: Bool
    public var error: String?
    /// How many messages and sessions match (nil when the query cannot run).
    public var totals: SearchTotals? = nil
    /// The last page that has hits (1 when there are none).
    public var lastPage: Int = 1

    enum CodingKeys: String, CodingKey {
        case query, understood, page, hits, error, totals
        case hasMore = "has_more"
        case lastPage = "last_page"
    }

    /// The hits with matched words between `[` and `]`, as the `search` command prints them.
    var withPlainHighlights: SearchModel {
        var model = self
        for index in model.hits.indices {
            model.hits[index].snippet = model.hits[index].snippet.replacingOccurrences(of: Pages.highlight.open, with: "[")
                .replacingOccurrences(of: Pages.highlight.close, with: "]")
        }
        return model
    }
}
