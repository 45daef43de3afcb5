import GRDB

/// One wallet of the index, as the archive browser's first page lists it.
public struct WalletListing: Sendable, Codable, Equatable {
    public var wallet: String
    public var threads: Int
    public var messages: Int
    /// Conversation time of its first and last message.
    public var firstActivity: String?
    public var lastActivity: String?

    enum CodingKeys: String, CodingKey {
        case wallet
        case threads = "thread_count"
        case messages = "message_count"
        case firstActivity = "first_activity"
        case lastActivity = "last_activity"
    }
}

/// Messages of a wallet on one day (UTC), for its activity chart.
public struct DailyActivity: Sendable, Codable, Equatable {
    /// `2026-11-29`.
    public var day: String
    public var messages: Int

    enum CodingKeys: String, CodingKey {
        case day
        case messages = "message_count"
    }
}

extension ArchiveQueries {
    /// Wallets with threads, newest activity first, `limit` of them after the first `offset`.
    public func wallets(limit: Int = 500, offset: Int = 0) throws(IndexError) -> [WalletListing] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT wallet, count(*) AS threads, sum(message_count) AS messages,
                           min(coalesce(first_activity, first_seen)) AS first_activity, max(coalesce(last_activity, last_seen)) AS last_activity
                    FROM sessions
                    WHERE wallet IS NOT NULL AND (message_count > 0 OR title IS NOT NULL)
                    GROUP BY wallet
                    ORDER BY last_activity DESC, wallet
                    LIMIT ? OFFSET ?
                    """, arguments: [limit, offset]
            ).map { row in
                WalletListing(
                    wallet: row["wallet"], threads: row["threads"], messages: row["messages"], firstActivity: row["first_activity"],
                    lastActivity: row["last_activity"])
            }
        }
    }

    /// A wallet's messages per day of conversation time, oldest first.
    public func activity(wallet: String) throws(IndexError) -> [DailyActivity] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT substr(m.time, 1, 10) AS day, count(*) AS messages
                    FROM messages m JOIN sessions s ON s.id = m.session
                    WHERE s.wallet = ? GROUP BY day ORDER BY day
                    """, arguments: [wallet.lowercased()]
            ).map { DailyActivity(day: $0["day"], messages: $0["messages"]) }
        }
    }

    /// Every title each of a wallet's threads has had, in the order they were first seen.
    public func titles(wallet: String) throws(IndexError) -> [String: [String]] {
        try read { db in
            var titles: [String: [String]] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT t.session, t.title FROM titles t JOIN sessions s ON s.id = t.session
                    WHERE s.wallet = ? ORDER BY t.session, t.first_seen, t.title
                    """, arguments: [wallet.lowercased()])
            {
                titles[row["session"], default: []].append(row["title"])
            }
            return titles
        }
    }

    /// When the index last loaded anything (the newest `indexed_at` of its files).
    public func lastIndexed() throws(IndexError) -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT max(indexed_at) FROM files") }
    }
}
