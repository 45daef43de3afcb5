/// What a statement returned, as text (libpq's text format): column names and rows of
/// values, nil for SQL NULL.
public struct PostgresRows: Sendable {
    public var columns: [String]
    public var rows: [[String?]]

    /// The value of `column` in row `row`; nil when it is NULL or there is no such column.
    public func value(_ column: String, row: Int) -> String? {
        guard let index = columns.firstIndex(of: column), rows.indices.contains(row) else { return nil }
        return rows[row][index]
    }

    /// The first column of every row.
    public var firstColumn: [String?] { rows.map { $0.first ?? nil } }
}
