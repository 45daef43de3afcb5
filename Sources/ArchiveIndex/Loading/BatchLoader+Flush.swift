import GRDB

extension BatchLoader {
    /// Writes what the batch learned about its sessions: session rows, titles, messages (and
    /// their full-text rows) and the system events already seen.
    mutating func flush() throws {
        for session in touchedSessions {
            let thread = accumulator(session)
            try writeSession(thread)
            for title in thread.titles {
                let statement = try db.cachedStatement(sql: "INSERT OR IGNORE INTO titles (session, title, first_seen) VALUES (?, ?, ?)")
                statement.setUncheckedArguments([session, title.text, title.seen])
                try statement.execute()
            }
            try writeMessages(thread)
            for hash in thread.newSystemEvents {
                let statement = try db.cachedStatement(sql: "INSERT OR IGNORE INTO system_events_seen (session, hash) VALUES (?, ?)")
                statement.setUncheckedArguments([session, hash])
                try statement.execute()
            }
        }
    }

    private func writeSession(_ thread: ThreadAccumulator) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO sessions (id, wallet, title, title_seen, created, first_seen, last_seen, message_count, first_activity, last_activity)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET
                    wallet = coalesce(sessions.wallet, excluded.wallet),
                    title = CASE WHEN excluded.title IS NOT NULL AND (sessions.title_seen IS NULL OR excluded.title_seen >= sessions.title_seen)
                                 THEN excluded.title ELSE sessions.title END,
                    title_seen = CASE WHEN excluded.title IS NOT NULL AND (sessions.title_seen IS NULL OR excluded.title_seen >= sessions.title_seen)
                                      THEN excluded.title_seen ELSE sessions.title_seen END,
                    created = CASE WHEN sessions.created IS NULL OR excluded.created < sessions.created THEN excluded.created ELSE sessions.created END,
                    first_seen = CASE WHEN sessions.first_seen IS NULL OR excluded.first_seen < sessions.first_seen THEN excluded.first_seen ELSE sessions.first_seen END,
                    last_seen = CASE WHEN sessions.last_seen IS NULL OR excluded.last_seen > sessions.last_seen THEN excluded.last_seen ELSE sessions.last_seen END,
                    message_count = max(sessions.message_count, excluded.message_count),
                    first_activity = coalesce(excluded.first_activity, sessions.first_activity),
                    last_activity = coalesce(excluded.last_activity, sessions.last_activity)
                """)
        statement.setUncheckedArguments([
            thread.session, thread.wallet, thread.title?.text, thread.title?.seen, thread.created,
            thread.firstSeen, thread.lastSeen, thread.messages.count, thread.messages.lazy.map(\.time).min(), thread.messages.lazy.map(\.time).max(),
        ])
        try statement.execute()
    }

    private mutating func writeMessages(_ thread: ThreadAccumulator) throws {
        for (position, message) in thread.messages.enumerated() {
            if let rowID = message.rowID {
                if message.contentChanged {
                    let old = try Row.fetchOne(db.cachedStatement(sql: "SELECT content, scope FROM messages WHERE id = ?"), arguments: [rowID])
                    let remove = try db.cachedStatement(sql: "INSERT INTO messages_fts (messages_fts, rowid, content, scope) VALUES ('delete', ?, ?, ?)")
                    remove.setUncheckedArguments([rowID, old?["content"] as String? ?? "", old?["scope"] as String? ?? ""])
                    try remove.execute()
                    let scope = SearchScope.tokens(wallet: thread.wallet, session: thread.session)
                    let update = try db.cachedStatement(
                        sql: """
                            UPDATE messages SET sender = ?, content = ?, tool_result = ?, timestamp = ?, time = ?, last_seen = ?, record = ?, hash = ?, scope = ? WHERE id = ?
                            """)
                    update.setUncheckedArguments([
                        message.sender, message.content, message.toolResult, message.timestamp, message.time, message.lastSeen,
                        message.record, message.hash, scope, rowID,
                    ])
                    try update.execute()
                    try indexText(rowID, message.content, scope)
                    countMessage()
                } else if message.seenChanged {
                    let update = try db.cachedStatement(sql: "UPDATE messages SET last_seen = ?, record = ? WHERE id = ?")
                    update.setUncheckedArguments([message.lastSeen, message.record, rowID])
                    try update.execute()
                }
            } else {
                let scope = SearchScope.tokens(wallet: thread.wallet, session: thread.session)
                let insert = try db.cachedStatement(
                    sql: """
                        INSERT INTO messages (session, position, sender, content, tool_result, timestamp, time, first_seen, last_seen, record, hash, scope)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                insert.setUncheckedArguments([
                    thread.session, position, message.sender, message.content, message.toolResult, message.timestamp,
                    message.time, message.firstSeen, message.lastSeen, message.record, message.hash, scope,
                ])
                try insert.execute()
                try indexText(db.lastInsertedRowID, message.content, scope)
                countMessage()
            }
        }
    }

    private func indexText(_ rowID: Int64, _ content: String, _ scope: String) throws {
        let statement = try db.cachedStatement(sql: "INSERT INTO messages_fts (rowid, content, scope) VALUES (?, ?, ?)")
        statement.setUncheckedArguments([rowID, content, scope])
        try statement.execute()
    }
}
