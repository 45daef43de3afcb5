/// Records of one session in one file (and, when asked, on one day): what `du` adds up.
public struct RecordGroup: Sendable, Equatable {
    public var file: String
    public var session: String?
    /// `2026-12-05`, when grouped by day.
    public var day: String?
    public var records: Int
    public var oldest: String?
    public var newest: String?
}

extension ArchiveQueries {
    /// The index's records (their `warcinfo` aside) counted per file and session, and per day
    /// of their date with `byDay`.
    public func recordGroups(byDay: Bool) throws(IndexError) -> [RecordGroup] {
        let day = byDay ? "substr(r.date, 1, 10)" : "NULL"
        return try database.rows(
            """
            SELECT f.path AS path, r.session AS session, \(day) AS day, count(*) AS records, min(r.date) AS oldest, max(r.date) AS newest
            FROM records r JOIN files f ON f.id = r.file_id
            WHERE r.type <> 'warcinfo'
            GROUP BY f.path, r.session, \(day)
            """
        ).compactMap { row in
            guard let path = row.string("path") else { return nil }
            return RecordGroup(
                file: path, session: row.string("session"), day: row.string("day"), records: row.int("records") ?? 0, oldest: row.string("oldest"),
                newest: row.string("newest"))
        }
    }
}
