import GRDB
import WARC

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

/// Exchanges recorded without a session (`X-Session-Id`): the thread list, secrets, models;
/// filed under `_unbound/` or beside a wallet's files.
public struct SessionlessExchange: Sendable, Codable, Equatable {
    public var method: String
    public var uri: String
    public var date: String
    /// The archive file and the offset of its request record.
    public var file: String
    public var offset: Int
}

/// Messages of a wallet in one day or one hour (UTC), for its activity chart.
public struct DailyActivity: Sendable, Codable, Equatable {
    /// `2026-11-29`, or `2026-11-29T10` for an hour.
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
        try database.rows(
            """
            SELECT wallet, count(*) AS threads, sum(message_count) AS messages,
                   min(coalesce(first_activity, first_seen)) AS first_activity, max(coalesce(last_activity, last_seen)) AS last_activity
            FROM sessions
            WHERE wallet IS NOT NULL AND (message_count > 0 OR title IS NOT NULL)
            GROUP BY wallet
            ORDER BY last_activity DESC NULLS LAST, wallet
            LIMIT ? OFFSET ?
            """, [limit, offset]
        ).map { row in
            WalletListing(
                wallet: row.string("wallet") ?? "", threads: row.int("threads") ?? 0, messages: row.int("messages") ?? 0,
                firstActivity: row.string("first_activity"), lastActivity: row.string("last_activity"))
        }
    }

    /// How many exchanges were recorded without a session.
    public func sessionlessExchangeCount() throws(IndexError) -> Int {
        try database.rows("SELECT count(*) AS n FROM records WHERE session IS NULL AND type = 'request'").first?.int("n") ?? 0
    }

    /// How many exchanges were recorded without a session, and the newest `limit` of them.
    public func sessionlessExchanges(limit: Int = 500) throws(IndexError) -> (count: Int, newest: [SessionlessExchange]) {
        let count = try sessionlessExchangeCount()
        let newest = try database.rows(
            """
            SELECT r.method, r.uri, r.date, f.path, r."offset" AS place FROM records r JOIN files f ON f.id = r.file_id
            WHERE r.session IS NULL AND r.type = 'request' ORDER BY r.date DESC, r.id LIMIT ?
            """, [limit]
        ).map { row in
            SessionlessExchange(
                method: row.string("method") ?? "", uri: row.string("uri") ?? "", date: row.string("date") ?? "", file: row.string("path") ?? "",
                offset: row.int("place") ?? 0)
        }
        return (count, newest)
    }

    /// A wallet's messages per day (or per hour) of conversation time, oldest first.
    public func activity(wallet: String, hourly: Bool = false) throws(IndexError) -> [DailyActivity] {
        try database.rows(
            """
            SELECT substr(m.time, 1, \(hourly ? 13 : 10)) AS day, count(*) AS messages
            FROM messages m JOIN sessions s ON s.id = m.session
            WHERE s.wallet = ? GROUP BY day ORDER BY day NULLS FIRST
            """, [wallet.lowercased()]
        ).map { DailyActivity(day: $0.string("day") ?? "", messages: $0.int("messages") ?? 0) }
    }

    /// Every title each of a wallet's threads has had, in the order they were first seen.
    public func titles(wallet: String) throws(IndexError) -> [String: [String]] {
        var titles: [String: [String]] = [:]
        for row in try database.rows(
            """
            SELECT t.session, t.title FROM titles t JOIN sessions s ON s.id = t.session
            WHERE s.wallet = ? ORDER BY t.session, t.first_seen, t.title
            """, [wallet.lowercased()])
        {
            if let session = row.string("session"), let title = row.string("title") { titles[session, default: []].append(title) }
        }
        return titles
    }

    /// When the index last loaded anything (the newest `indexed_at` of its files).
    /// Every damaged place the index holds, with its file's path as last read.
    public func damage() throws(IndexError) -> [WARCDamage] {
        try database.rows(
            "SELECT f.path AS path, d.\"offset\" AS place, d.length AS length, d.kind AS kind, d.reason AS reason FROM damage d JOIN files f ON f.id = d.file_id ORDER BY f.path, d.\"offset\""
        ).map { row in
            WARCDamage(
                file: row.string("path") ?? "", offset: Int64(row.int("place") ?? 0), length: Int64(row.int("length") ?? 0),
                kind: row.string("kind").flatMap(WARCDamage.Kind.init(rawValue:)) ?? .garbage, reason: row.string("reason") ?? "")
        }
    }

    public func lastIndexed() throws(IndexError) -> String? {
        try database.rows("SELECT max(indexed_at) AS newest FROM files").first?.string("newest")
    }
}
