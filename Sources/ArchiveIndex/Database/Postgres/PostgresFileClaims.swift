/// Shares the archive files among indexers loading into one PostgreSQL database: an indexer
/// reads a file only while it holds the file's claim, so no two read the same file at once
/// and none reads what another is loading. A file is claimed by its identity (what the
/// `files` table knows it by), so a `.open` file renamed on close is still the same claim. A claim is a lease: it runs out at `until` unless
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

    /// Claims `file` (or renews this indexer's claim on it); false when another indexer's
    /// claim on it has not run out yet.
    public func claim(_ file: String) throws(IndexError) -> Bool {
        let taken = try connection.execute(
            """
            INSERT INTO file_claims (file, indexer, until) VALUES ($1, $2, clock_timestamp() + $3::interval)
            ON CONFLICT (file) DO UPDATE SET indexer = excluded.indexer, until = excluded.until
            WHERE file_claims.indexer = excluded.indexer OR file_claims.until < clock_timestamp()
            RETURNING indexer
            """, [file, indexer, Self.interval(lease)])
        return !taken.rows.isEmpty
    }

    /// Gives the claim on `file` up (the file is loaded, or this indexer stops).
    public func release(_ file: String) throws(IndexError) {
        try connection.execute("DELETE FROM file_claims WHERE file = $1 AND indexer = $2", [file, indexer])
    }

    /// The indexer holding a running claim on `file`, if any.
    public func holder(of file: String) throws(IndexError) -> String? {
        try connection.execute("SELECT indexer FROM file_claims WHERE file = $1 AND until >= clock_timestamp()", [file]).firstColumn.first ?? nil
    }

    /// `12.5 seconds`, as PostgreSQL reads an interval.
    static func interval(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return "\(Double(seconds) + Double(attoseconds) / 1e18) seconds"
    }
}
