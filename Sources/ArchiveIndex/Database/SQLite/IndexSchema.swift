import GRDB

/// The tables of `index.sqlite`. Everything in them can be rebuilt from the archive files.
/// `docs/INDEX.md` describes them for people who query the file with `sqlite3`; the views
/// named there are stable, and `PRAGMA user_version` says which schema a file has.
enum IndexSchema {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE files (
                        id INTEGER PRIMARY KEY,
                        identity TEXT NOT NULL UNIQUE,      -- the warcinfo record id, or a digest of the first bytes
                        path TEXT NOT NULL,
                        size INTEGER NOT NULL,              -- bytes when last read
                        indexed_to INTEGER NOT NULL,        -- offset after the last record loaded
                        records INTEGER NOT NULL DEFAULT 0,
                        indexed_at TEXT NOT NULL
                    );
                    CREATE TABLE records (
                        id INTEGER PRIMARY KEY,
                        file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
                        offset INTEGER NOT NULL,
                        length INTEGER NOT NULL,
                        type TEXT NOT NULL,
                        record_id TEXT,
                        date TEXT,
                        method TEXT,
                        uri TEXT,
                        status INTEGER,
                        payload_digest TEXT,
                        session TEXT,
                        wallet TEXT,
                        exchange_seq INTEGER,
                        capture TEXT,
                        refers_to TEXT,                     -- a revisit's original (WARC-Refers-To)
                        concurrent_to TEXT,
                        segment_origin TEXT,
                        segment_number INTEGER,
                        stream_end TEXT,
                        UNIQUE (file_id, offset)
                    );
                    CREATE TABLE sessions (
                        id TEXT PRIMARY KEY,
                        wallet TEXT,
                        title TEXT,                         -- the latest title
                        title_seen TEXT,
                        created TEXT,
                        first_seen TEXT,
                        last_seen TEXT,
                        message_count INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE TABLE titles (
                        session TEXT NOT NULL,
                        title TEXT NOT NULL,
                        first_seen TEXT NOT NULL,
                        PRIMARY KEY (session, title)
                    );
                    CREATE TABLE messages (
                        id INTEGER PRIMARY KEY,
                        session TEXT NOT NULL,
                        position INTEGER NOT NULL,          -- index in the thread
                        sender TEXT NOT NULL,
                        content TEXT NOT NULL,              -- the final text (a streaming message's last form)
                        tool_result TEXT,
                        timestamp TEXT,                     -- the backend's own timestamp, as sent
                        first_seen TEXT NOT NULL,           -- when a recording first held it
                        last_seen TEXT NOT NULL,
                        record INTEGER NOT NULL,            -- records.id of the snapshot it was last seen in
                        hash INTEGER NOT NULL,              -- of its JSON bytes, to skip unchanged repeats
                        scope TEXT NOT NULL,                -- filter tokens for the full-text index: w<wallet> s<session>
                        UNIQUE (session, position)
                    );
                    CREATE VIRTUAL TABLE messages_fts USING fts5(content, scope, content='messages', content_rowid='id', tokenize='unicode61');
                    CREATE TABLE events (
                        id INTEGER PRIMARY KEY,
                        session TEXT,
                        source TEXT NOT NULL,               -- sse (GET /api/updates) or system (system_events, GET /api/events)
                        type TEXT,
                        data TEXT NOT NULL,
                        time TEXT,
                        record INTEGER NOT NULL,
                        position INTEGER NOT NULL,
                        UNIQUE (record, position)
                    );
                    CREATE TABLE system_events_seen (
                        session TEXT NOT NULL,
                        hash INTEGER NOT NULL,
                        PRIMARY KEY (session, hash)
                    ) WITHOUT ROWID;
                    CREATE TABLE damage (
                        file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
                        offset INTEGER NOT NULL,
                        length INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        PRIMARY KEY (file_id, offset)
                    );
                    """)
        }
        migrator.registerMigration("v2: stable views") { db in
            try db.execute(
                sql: """
                    -- One row per recorded exchange: the request and what answered it (a response,
                    -- or a revisit of an identical earlier one, or the first segment of a stream).
                    CREATE VIEW exchanges AS
                    SELECT q.session, q.wallet, q.exchange_seq, q.capture, q.method, q.uri, q.date AS requested,
                           r.type AS answer_type, r.status, r.date AS answered, r.payload_digest, r.refers_to,
                           r.stream_end, f.path AS file, q.offset AS request_offset, r.offset AS answer_offset
                    FROM records q
                    JOIN files f ON f.id = q.file_id
                    LEFT JOIN records r ON r.concurrent_to = q.record_id AND r.type IN ('response', 'revisit')
                    WHERE q.type = 'request';
                    -- Every message with its thread's wallet and latest title, in thread order.
                    CREATE VIEW chat_messages AS
                    SELECT m.session, s.wallet, s.title, m.position, m.sender, m.content, m.tool_result,
                           m.timestamp, m.first_seen, m.last_seen
                    FROM messages m LEFT JOIN sessions s ON s.id = m.session;
                    PRAGMA user_version = 2;
                    """)
        }
        migrator.registerMigration("v3: conversation time") { db in
            try db.execute(
                sql: """
                    -- A message's time in the conversation: its own timestamp (normalised to the
                    -- WARC-Date form), or first_seen where it has none.
                    ALTER TABLE messages ADD COLUMN time TEXT;
                    -- A thread's first and last activity: the least and greatest time of its messages.
                    ALTER TABLE sessions ADD COLUMN first_activity TEXT;
                    ALTER TABLE sessions ADD COLUMN last_activity TEXT;
                    DROP VIEW chat_messages;
                    CREATE VIEW chat_messages AS
                    SELECT m.session, s.wallet, s.title, m.position, m.sender, m.content, m.tool_result,
                           m.time, m.timestamp, m.first_seen, m.last_seen
                    FROM messages m LEFT JOIN sessions s ON s.id = m.session;
                    PRAGMA user_version = 3;
                    """)
            try fillConversationTimes(db)
            try db.execute(
                sql: """
                    UPDATE sessions SET first_activity = (SELECT min(time) FROM messages m WHERE m.session = sessions.id),
                                        last_activity = (SELECT max(time) FROM messages m WHERE m.session = sessions.id);
                    DROP INDEX IF EXISTS sessions_wallet;
                    """)
        }
        migrator.registerMigration("v4: records inside bundles") { db in
            try db.execute(
                sql: """
                    -- A compacted file holds records inside bundles: such a record is at the
                    -- bundle's offset, and bundle_position says where in the bundle's block.
                    DROP VIEW exchanges;
                    CREATE TABLE records_v4 (
                        id INTEGER PRIMARY KEY,
                        file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
                        offset INTEGER NOT NULL,
                        length INTEGER NOT NULL,
                        type TEXT NOT NULL,
                        record_id TEXT,
                        date TEXT,
                        method TEXT,
                        uri TEXT,
                        status INTEGER,
                        payload_digest TEXT,
                        session TEXT,
                        wallet TEXT,
                        exchange_seq INTEGER,
                        capture TEXT,
                        refers_to TEXT,
                        concurrent_to TEXT,
                        segment_origin TEXT,
                        segment_number INTEGER,
                        stream_end TEXT,
                        bundle_position INTEGER             -- where in its bundle's block; NULL for a record stored on its own
                    );
                    INSERT INTO records_v4 (id, file_id, offset, length, type, record_id, date, method, uri, status, payload_digest, session,
                        wallet, exchange_seq, capture, refers_to, concurrent_to, segment_origin, segment_number, stream_end)
                    SELECT id, file_id, offset, length, type, record_id, date, method, uri, status, payload_digest, session,
                        wallet, exchange_seq, capture, refers_to, concurrent_to, segment_origin, segment_number, stream_end FROM records;
                    DROP TABLE records;
                    ALTER TABLE records_v4 RENAME TO records;
                    CREATE UNIQUE INDEX records_place ON records(file_id, offset, ifnull(bundle_position, -1));
                    CREATE INDEX records_file_record_id ON records(file_id, record_id);
                    CREATE VIEW exchanges AS
                    SELECT q.session, q.wallet, q.exchange_seq, q.capture, q.method, q.uri, q.date AS requested,
                           r.type AS answer_type, r.status, r.date AS answered, r.payload_digest, r.refers_to,
                           r.stream_end, f.path AS file, q.offset AS request_offset, r.offset AS answer_offset,
                           q.bundle_position AS request_bundle_position, r.bundle_position AS answer_bundle_position
                    FROM records q
                    JOIN files f ON f.id = q.file_id
                    LEFT JOIN records r ON r.concurrent_to = q.record_id AND r.type IN ('response', 'revisit')
                    WHERE q.type = 'request';
                    PRAGMA user_version = 4;
                    """)
            try createSecondaryIndexes(db)
        }
        migrator.registerMigration("v5: reruns") { db in
            try db.execute(
                sql: """
                    -- A session sent again by `aomi-archive rerun` (Aomi-Rerun-Of) and the session it reruns.
                    CREATE TABLE reruns (
                        session TEXT PRIMARY KEY,
                        original TEXT NOT NULL,
                        first_seen TEXT
                    );
                    CREATE INDEX reruns_original ON reruns(original);
                    PRAGMA user_version = 5;
                    """)
        }
        return migrator
    }

    /// Gives the messages of an index made before conversation times their time.
    private static func fillConversationTimes(_ db: Database) throws {
        let update = try db.makeStatement(sql: "UPDATE messages SET time = ? WHERE id = ?")
        let rows = try Row.fetchCursor(db, sql: "SELECT id, timestamp, first_seen FROM messages")
        while let row = try rows.next() {
            let timestamp: String? = row["timestamp"]
            try update.execute(arguments: [timestamp.flatMap(ConversationTime.parse) ?? row["first_seen"], row["id"] as Int64])
        }
    }

    /// Indexes that only queries need: a load into an empty index drops them and builds them
    /// once at the end, which is faster than keeping them up to date row by row.
    static let secondaryIndexes = [
        ("records_record_id", "CREATE INDEX IF NOT EXISTS records_record_id ON records(record_id)"),
        ("records_session", "CREATE INDEX IF NOT EXISTS records_session ON records(session, exchange_seq)"),
        ("records_concurrent_to", "CREATE INDEX IF NOT EXISTS records_concurrent_to ON records(concurrent_to)"),
        ("sessions_wallet", "CREATE INDEX IF NOT EXISTS sessions_wallet ON sessions(wallet, last_activity)"),
        ("events_session", "CREATE INDEX IF NOT EXISTS events_session ON events(session, time)"),
    ]

    static func createSecondaryIndexes(_ db: Database) throws {
        for (_, sql) in secondaryIndexes { try db.execute(sql: sql) }
    }

    static func dropSecondaryIndexes(_ db: Database) throws {
        for (name, _) in secondaryIndexes { try db.execute(sql: "DROP INDEX IF EXISTS \(name)") }
    }
}
