import GRDB

/// How a batch's view of a session merges into its stored row, the same on both stores: the
/// earliest creation and first sighting, the latest last sighting and title, the wallet
/// first known, the most messages seen.
enum SessionMerge {
    /// The upsert, with `?` placeholders; `greatest` is the engine's two-argument maximum
    /// (`max` in SQLite, `greatest` in PostgreSQL).
    static func sql(greatest: String) -> String {
        """
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
            message_count = \(greatest)(sessions.message_count, excluded.message_count),
            first_activity = coalesce(excluded.first_activity, sessions.first_activity),
            last_activity = coalesce(excluded.last_activity, sessions.last_activity)
        """
    }

    static func values(of thread: ThreadAccumulator) -> [(any DatabaseValueConvertible)?] {
        [
            thread.session, thread.wallet, IndexText.storable(thread.title?.text), thread.title?.seen, thread.created,
            thread.firstSeen, thread.lastSeen, thread.messages.count, thread.messages.lazy.map(\.time).min(), thread.messages.lazy.map(\.time).max(),
        ]
    }
}
