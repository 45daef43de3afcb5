/// Shares the archive files among indexers loading into one PostgreSQL database: an indexer
/// reads a file only while it holds the file's claim, so no two read the same file at once
/// and none reads what another is loading. A claim is a lease: it runs out at `until` unless
/// renewed, so the files of an indexer that crashed are taken over once its lease has run
/// out. Claims are rows of `file_claims`, taken in one atomic statement each.
public struct PostgresFileClaims {
    public let connection: PostgresConnection
    /// This indexer's id, unique among those sharing the database.
    public let indexer: String
    /// How long a claim lasts without renewal.
    public let lease: Duration

    public init(connection: PostgresConnection, indexer: String, lease: Duration = .seconds(60)) {
        self.connection = connection
        self.indexer = indexer
        self.lease = lease
    }

    /// Claims `path` (or renews this indexer's claim on it); false when another indexer's
    /// claim on it has not run out yet.
    public func claim(_ path: String) throws(IndexError) -> Bool {
        let taken = try connection.execute(
            """
            INSERT INTO file_claims (path, indexer, until) VALUES ($1, $2, clock_timestamp() + $3::interval)
            ON CONFLICT (path) DO UPDATE SET indexer = excluded.indexer, until = excluded.until
            WHERE file_claims.indexer = excluded.indexer OR file_claims.until < clock_timestamp()
            RETURNING indexer
            """, [path, indexer, Self.interval(lease)])
        return !taken.rows.isEmpty
    }

    /// Gives the claim on `path` up (the file is loaded, or this indexer stops).
    public func release(_ path: String) throws(IndexError) {
        try connection.execute("DELETE FROM file_claims WHERE path = $1 AND indexer = $2", [path, indexer])
    }

    /// The indexer holding a running claim on `path`, if any.
    public func holder(of path: String) throws(IndexError) -> String? {
        try connection.execute("SELECT indexer FROM file_claims WHERE path = $1 AND until >= clock_timestamp()", [path]).firstColumn.first ?? nil
    }

    /// `12.5 seconds`, as PostgreSQL reads an interval.
    static func interval(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return "\(Double(seconds) + Double(attoseconds) / 1e18) seconds"
    }
}
