/// The tables of the PostgreSQL index: the same tables and the same documented views
/// (`exchanges`, `chat_messages`, with the same columns) as `index.sqlite`, so that a query
/// written against one runs against the other. Migrations are numbered in the code and
/// applied at connection, in order, each once (`schema_migrations` says which), under an
/// advisory lock, so several indexers starting together migrate once.
///
/// Every text column compares byte by byte (`COLLATE "C"`), as SQLite's do, whatever the
/// database's locale: times in the `WARC-Date` form, ids and titles sort the same on both.
///
/// Where SQLite has FTS5, a message here has `search`, a `tsvector` indexed with GIN, made by
/// `to_tsvector('simple', …)` from the message's words as FTS5's `unicode61` splits and folds
/// them (`FullTextWords.searchText`), so that both find the same messages for the same query
/// (`QueryNode.tsquery`); the wallet and session filters are plain columns.
public enum PostgresSchema {
    /// One step of the schema, applied once.
    public struct Migration: Sendable {
        public var version: Int
        public var name: String
        public var sql: String
    }

    /// Every migration, oldest first; the last one's version is the schema this code writes.
    public static let migrations: [Migration] = [
        Migration(version: 1, name: "tables and views of SQLite schema v4", sql: version1),
        Migration(version: 2, name: "reruns, as SQLite schema v5", sql: version2),
    ]

    public static var currentVersion: Int { migrations.last?.version ?? 0 }

    /// Applies what `connection`'s database lacks; returns the versions applied (empty when it
    /// was up to date). A database migrated by a newer aomi-archive is refused, untouched.
    @discardableResult
    public static func migrate(_ connection: PostgresConnection) throws -> [Int] {
        // Up to date (the common case): nothing to lock or create, so a user who may only read
        // can open the index.
        if try appliedVersion(connection) == currentVersion { return [] }
        return try connection.transaction {
            try connection.execute("SELECT pg_advisory_xact_lock(\(advisoryLock))")
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
            let applied = try connection.execute("SELECT coalesce(max(version), 0) AS version FROM schema_migrations")
            let version = Int(applied.value("version", row: 0) ?? "0") ?? 0
            guard version <= currentVersion else {
                throw IndexError.database(
                    path: connection.location.description,
                    reason: "its schema is version \(version), made by a newer aomi-archive; this one knows up to version \(currentVersion)")
            }
            var done: [Int] = []
            for migration in migrations where migration.version > version {
                try connection.execute(migration.sql)
                try connection.execute("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [String(migration.version), migration.name])
                done.append(migration.version)
            }
            return done
        }
    }

    /// The newest version applied, 0 for a database without the index's tables.
    static func appliedVersion(_ connection: PostgresConnection) throws(IndexError) -> Int {
        let made = try connection.execute("SELECT to_regclass('schema_migrations') IS NOT NULL AS made").value("made", row: 0) == "t"
        guard made else { return 0 }
        let found = try connection.execute("SELECT coalesce(max(version), 0) AS version FROM schema_migrations")
        return Int(found.value("version", row: 0) ?? "0") ?? 0
    }

    /// The advisory lock key that serialises migrations (any constant shared by every indexer).
    static let advisoryLock: Int64 = 0x414F_4D49_0001

    static let version2 = """
        CREATE TABLE reruns (
            session text COLLATE "C" PRIMARY KEY,
            original text COLLATE "C" NOT NULL,
            first_seen text COLLATE "C"
        );
        CREATE INDEX reruns_original ON reruns(original);
        """

    static let version1 = """
        CREATE TABLE files (
            id bigserial PRIMARY KEY,
            identity text COLLATE "C" NOT NULL UNIQUE,
            path text COLLATE "C" NOT NULL,
            size bigint NOT NULL,
            indexed_to bigint NOT NULL,
            records bigint NOT NULL DEFAULT 0,
            indexed_at text COLLATE "C" NOT NULL
        );
        CREATE TABLE records (
            id bigserial PRIMARY KEY,
            file_id bigint NOT NULL REFERENCES files(id) ON DELETE CASCADE,
            "offset" bigint NOT NULL,
            length bigint NOT NULL,
            type text COLLATE "C" NOT NULL,
            record_id text COLLATE "C",
            date text COLLATE "C",
            method text COLLATE "C",
            uri text COLLATE "C",
            status integer,
            payload_digest text COLLATE "C",
            session text COLLATE "C",
            wallet text COLLATE "C",
            exchange_seq bigint,
            capture text COLLATE "C",
            refers_to text COLLATE "C",
            concurrent_to text COLLATE "C",
            segment_origin text COLLATE "C",
            segment_number bigint,
            stream_end text COLLATE "C",
            bundle_position bigint
        );
        CREATE UNIQUE INDEX records_place ON records (file_id, "offset", coalesce(bundle_position, -1));
        CREATE INDEX records_file_record_id ON records (file_id, record_id);
        CREATE INDEX records_record_id ON records (record_id);
        CREATE INDEX records_session ON records (session, exchange_seq);
        CREATE INDEX records_concurrent_to ON records (concurrent_to);
        CREATE TABLE sessions (
            id text COLLATE "C" PRIMARY KEY,
            wallet text COLLATE "C",
            title text COLLATE "C",
            title_seen text COLLATE "C",
            created text COLLATE "C",
            first_seen text COLLATE "C",
            last_seen text COLLATE "C",
            message_count bigint NOT NULL DEFAULT 0,
            first_activity text COLLATE "C",
            last_activity text COLLATE "C"
        );
        CREATE INDEX sessions_wallet ON sessions (wallet, last_activity);
        CREATE TABLE titles (
            session text COLLATE "C" NOT NULL,
            title text COLLATE "C" NOT NULL,
            first_seen text COLLATE "C" NOT NULL,
            PRIMARY KEY (session, title)
        );
        CREATE TABLE messages (
            id bigserial PRIMARY KEY,
            session text COLLATE "C" NOT NULL,
            position bigint NOT NULL,
            sender text COLLATE "C" NOT NULL,
            content text COLLATE "C" NOT NULL,
            tool_result text COLLATE "C",
            timestamp text COLLATE "C",
            first_seen text COLLATE "C" NOT NULL,
            last_seen text COLLATE "C" NOT NULL,
            record bigint NOT NULL,
            hash bigint NOT NULL,
            time text COLLATE "C",
            search tsvector NOT NULL,
            UNIQUE (session, position)
        );
        CREATE INDEX messages_search ON messages USING gin (search);
        CREATE INDEX messages_time ON messages (time);
        CREATE TABLE events (
            id bigserial PRIMARY KEY,
            session text COLLATE "C",
            source text COLLATE "C" NOT NULL,
            type text COLLATE "C",
            data text COLLATE "C" NOT NULL,
            time text COLLATE "C",
            record bigint NOT NULL,
            position bigint NOT NULL,
            UNIQUE (record, position)
        );
        CREATE INDEX events_session ON events (session, time);
        CREATE TABLE system_events_seen (
            session text COLLATE "C" NOT NULL,
            hash bigint NOT NULL,
            PRIMARY KEY (session, hash)
        );
        CREATE TABLE damage (
            file_id bigint NOT NULL REFERENCES files(id) ON DELETE CASCADE,
            "offset" bigint NOT NULL,
            length bigint NOT NULL,
            kind text COLLATE "C" NOT NULL,
            reason text COLLATE "C" NOT NULL,
            PRIMARY KEY (file_id, "offset")
        );
        -- Which indexer is reading which archive file (by its identity), until when.
        CREATE TABLE file_claims (
            file text COLLATE "C" PRIMARY KEY,
            indexer text COLLATE "C" NOT NULL,
            until timestamptz NOT NULL
        );
        CREATE VIEW exchanges AS
        SELECT q.session, q.wallet, q.exchange_seq, q.capture, q.method, q.uri, q.date AS requested,
               r.type AS answer_type, r.status, r.date AS answered, r.payload_digest, r.refers_to,
               r.stream_end, f.path AS file, q."offset" AS request_offset, r."offset" AS answer_offset,
               q.bundle_position AS request_bundle_position, r.bundle_position AS answer_bundle_position
        FROM records q
        JOIN files f ON f.id = q.file_id
        LEFT JOIN records r ON r.concurrent_to = q.record_id AND r.type IN ('response', 'revisit')
        WHERE q.type = 'request';
        CREATE VIEW chat_messages AS
        SELECT m.session, s.wallet, s.title, m.position, m.sender, m.content, m.tool_result,
               m.time, m.timestamp, m.first_seen, m.last_seen
        FROM messages m LEFT JOIN sessions s ON s.id = m.session;
        """
}
