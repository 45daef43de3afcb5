import CLibpq
import Foundation

/// One connection to a PostgreSQL server, through libpq: what the index uses when its
/// location is a `postgres://` URL. Statements are synchronous, as GRDB's are for SQLite, so
/// the same loading threads drive either. Not thread-safe (libpq's rule): one thread at a
/// time; every indexer and every query holds a connection of its own.
public final class PostgresConnection {
    public let location: PostgresLocation
    private let handle: OpaquePointer

    /// Connects; a server that cannot be reached or refuses the login is an error naming the
    /// URL without its password.
    public init(_ location: PostgresLocation) throws(IndexError) {
        self.location = location
        guard let handle = PQconnectdb(location.url) else {
            throw .database(path: location.description, reason: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let reason = Self.message(of: handle)
            PQfinish(handle)
            throw .database(path: location.description, reason: "cannot connect: \(reason)")
        }
        self.handle = handle
        try execute("SET client_min_messages = warning")
    }

    deinit {
        PQfinish(handle)
    }

    /// Runs one statement with its parameters bound (`$1`, `$2`, … as text; nil is NULL):
    /// values never become SQL text. Several statements separated by `;` may run only
    /// without parameters.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [String?] = []) throws(IndexError) -> PostgresRows {
        let result = Self.withCStrings(parameters) { pointers in
            parameters.isEmpty ? PQexec(handle, sql) : PQexecParams(handle, sql, Int32(pointers.count), nil, pointers, nil, nil, 0)
        }
        guard let result else {
            throw .database(path: location.description, reason: "no result: \(Self.message(of: handle))")
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return PostgresRows(columns: [], rows: [])
        case PGRES_TUPLES_OK:
            return Self.rows(of: result)
        default:
            let reason = PQresultErrorMessage(result).map { String(cString: $0) } ?? "unknown error"
            throw .database(path: location.description, reason: reason.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func transaction<Result>(_ body: () throws -> Result) throws -> Result {
        try execute("BEGIN")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }

    private static func rows(of result: OpaquePointer) -> PostgresRows {
        let columnCount = PQnfields(result)
        let rowCount = PQntuples(result)
        let columns = (0..<columnCount).map { String(cString: PQfname(result, $0)) }
        let rows = (0..<rowCount).map { row in
            (0..<columnCount).map { column -> String? in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            }
        }
        return PostgresRows(columns: columns, rows: rows)
    }

    private static func message(of handle: OpaquePointer) -> String {
        PQerrorMessage(handle).map { String(cString: $0) }?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown error"
    }

    /// Calls `body` with C strings of `values` (NULL for nil), freed after.
    private static func withCStrings<Result>(_ values: [String?], _ body: ([UnsafePointer<CChar>?]) -> Result) -> Result {
        let copies = values.map { value in value.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        return body(copies.map { $0.map { UnsafePointer($0) } })
    }
}
