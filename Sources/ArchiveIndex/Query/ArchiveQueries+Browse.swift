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
    /// Every wallet with threads, newest activity first.
    public func wallets() throws(IndexError) -> [WalletListing] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT s.wallet, count(DISTINCT s.id) AS threads, count(m.id) AS messages,
                           min(coalesce(m.time, s.first_seen)) AS first_activity, max(coalesce(m.time, s.last_seen)) AS last_activity
                    FROM sessions s LEFT JOIN messages m ON m.session = s.id
                    WHERE s.wallet IS NOT NULL AND (s.message_count > 0 OR s.title IS NOT NULL)
                    GROUP BY s.wallet
                    ORDER BY last_activity DESC, s.wallet
                    """
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

    func read<T>(_ body: (Database) throws -> T) throws(IndexError) -> T {
        do {
            return try database.pool.read(body)
        } catch {
            throw .database(path: database.path, reason: "\(error)")
        }
    }
}
