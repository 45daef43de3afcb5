import GRDB

/// One row a query read from the index, whichever store it came from, by column name: the
/// values as text (as PostgreSQL sends them; SQLite's are converted), nil for NULL.
struct IndexRow {
    let columns: [String: Int]
    let values: [String?]

    func string(_ column: String) -> String? {
        columns[column].flatMap { values[$0] }
    }

    /// A whole number, also when the engine spells it as a decimal (PostgreSQL's `sum()` is
    /// `numeric`); nil for anything else (never a trap on `nan` or a number past `Int`).
    func int(_ column: String) -> Int? {
        string(column).flatMap { Int($0) ?? Double($0).flatMap { Int(exactly: $0) } }
    }

    func int64(_ column: String) -> Int64? {
        string(column).flatMap { Int64($0) }
    }

    func double(_ column: String) -> Double? {
        string(column).flatMap { Double($0) }
    }

    init(columns: [String: Int], values: [String?]) {
        self.columns = columns
        self.values = values
    }

    init(_ row: Row) {
        var columns: [String: Int] = [:]
        for (index, name) in row.columnNames.enumerated() where columns[name] == nil { columns[name] = index }
        self.columns = columns
        values = row.databaseValues.map(Self.text)
    }

    /// A value as PostgreSQL's text format would spell it.
    static func text(_ value: DatabaseValue) -> String? {
        switch value.storage {
        case .null: nil
        case let .int64(number): String(number)
        case let .double(number): String(number)
        case let .string(text): text
        case let .blob(data): String(decoding: data, as: UTF8.self)
        }
    }
}

extension ArchiveDatabase {
    /// Runs one read-only statement, written once for both stores: `?` placeholders (each
    /// becomes `$n` for PostgreSQL), and SQL both engines read the same way. Text bound for
    /// PostgreSQL has its NULs as they were stored (`IndexText.storable`).
    func rows(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?] = []) throws(IndexError) -> [IndexRow] {
        switch store {
        case let .sqlite(pool):
            do {
                return try pool.read { db in
                    try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(IndexRow.init)
                }
            } catch {
                throw .database(path: path, reason: "\(error)")
            }
        case let .postgres(pool):
            let numbered = Self.numberedPlaceholders(sql)
            let parameters = arguments.map { $0.flatMap { IndexText.storable(IndexRow.text($0.databaseValue)) } }
            return try pool.withConnection { connection throws(IndexError) in
                let result = try connection.execute(numbered, parameters)
                var columns: [String: Int] = [:]
                for (index, name) in result.columns.enumerated() where columns[name] == nil { columns[name] = index }
                return result.rows.map { IndexRow(columns: columns, values: $0) }
            }
        }
    }

    /// `sql` with its `?` placeholders numbered `$1`, `$2`, … (outside quoted strings).
    static func numberedPlaceholders(_ sql: String) -> String {
        var result = ""
        var number = 0
        var quote: Character?
        for character in sql {
            if let open = quote {
                if character == open { quote = nil }
                result.append(character)
            } else if character == "'" || character == "\"" {
                quote = character
                result.append(character)
            } else if character == "?" {
                number += 1
                result += "$\(number)"
            } else {
                result.append(character)
            }
        }
        return result
    }
}
