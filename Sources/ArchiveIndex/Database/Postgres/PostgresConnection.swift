import CLibpq
import Foundation

/// One connection to a PostgreSQL server, through libpq: what the index uses when its
/// location is a `postgres://` URL. Statements are synchronous, as GRDB's are for SQLite, so
/// the same loading threads drive either. Not thread-safe (libpq's rule): one thread at a
/// time; every indexer and every query holds a connection of its own. It is `Sendable` only so
/// that `PostgresPool` can hand an idle one to the next thread that takes it.
public final class PostgresConnection: @unchecked Sendable {
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

    /// Whether the connection can serve another statement: connected, and not left inside a
    /// transaction.
    var isUsable: Bool { PQstatus(handle) == CONNECTION_OK && PQtransactionStatus(handle) == PQTRANS_IDLE }

    /// Runs one statement with its parameters bound (`$1`, `$2`, … as text; nil is NULL):
    /// values never become SQL text. Several statements separated by `;` may run only
    /// without parameters. A parameter holding NUL, which no PostgreSQL text can hold (and a
    /// C string would cut short), is refused before anything is sent.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [String?] = []) throws(IndexError) -> PostgresRows {
        if let number = parameters.firstIndex(where: { $0?.utf8.contains(0) == true }) {
            throw .database(path: location.description, reason: "parameter $\(number + 1) holds a NUL character")
        }
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

    /// Loads rows into `table` with one `COPY … FROM STDIN` (text format), which is how bulk
    /// loads reach PostgreSQL's speed: values escaped as COPY reads them (`\\`, `\t`, `\n`,
    /// `\r`), nil as NULL. A value holding NUL, which no PostgreSQL text can hold, is refused
    /// before anything is sent. Returns the number of rows loaded.
    @discardableResult
    public func copy(into table: String, columns: [String], rows: [[String?]]) throws(IndexError) -> Int {
        var buffer = PostgresCopyRows(columns: columns, nul: .refuse)
        for (number, row) in rows.enumerated() {
            guard row.count == columns.count else {
                throw .database(path: location.description, reason: "COPY into \(table): row \(number) has \(row.count) values for \(columns.count) columns")
            }
            for (index, value) in row.enumerated() where !buffer.append(value) {
                throw .database(path: location.description, reason: "COPY into \(table): row \(number), \(columns[index]) holds a NUL character")
            }
            buffer.endRow()
        }
        return try copy(into: table, buffer)
    }

    /// Loads the rows of `buffer` into `table` with one `COPY … FROM STDIN`; returns the number loaded.
    @discardableResult
    public func copy(into table: String, _ buffer: PostgresCopyRows) throws(IndexError) -> Int {
        guard ([table] + buffer.columns).allSatisfy(Self.isPlainIdentifier) else {
            throw .database(path: location.description, reason: "COPY into \(table) (\(buffer.columns.joined(separator: ", "))): not plain identifiers")
        }
        return try sendCopy("COPY \(table) (\(buffer.columns.joined(separator: ", "))) FROM STDIN", buffer.data)
    }

    private func sendCopy(_ sql: String, _ data: [UInt8]) throws(IndexError) -> Int {
        guard let started = PQexec(handle, sql) else { throw .database(path: location.description, reason: "no result: \(Self.message(of: handle))") }
        let status = PQresultStatus(started)
        let startError = PQresultErrorMessage(started).map { String(cString: $0) } ?? ""
        PQclear(started)
        guard status == PGRES_COPY_IN else { throw .database(path: location.description, reason: startError.trimmingCharacters(in: .whitespacesAndNewlines)) }
        var sent = true
        data.withUnsafeBufferPointer { bytes in
            var offset = 0
            while sent, offset < bytes.count {
                let length = min(1 << 20, bytes.count - offset)
                sent = bytes.baseAddress!.advanced(by: offset).withMemoryRebound(to: CChar.self, capacity: length) { PQputCopyData(handle, $0, Int32(length)) } == 1
                offset += length
            }
        }
        let ended = PQputCopyEnd(handle, sent ? nil : "the client could not send every row") == 1
        var loaded = 0
        var failure: String?
        while let result = PQgetResult(handle) {
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                loaded = Int(String(cString: PQcmdTuples(result))) ?? 0
            } else {
                failure = PQresultErrorMessage(result).map { String(cString: $0) } ?? "unknown error"
            }
            PQclear(result)
        }
        if let failure { throw .database(path: location.description, reason: failure.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard sent, ended else { throw .database(path: location.description, reason: "COPY: \(Self.message(of: handle))") }
        return loaded
    }

    /// A lower-case identifier, or one in double quotes (`"offset"`, a keyword as a column).
    private static func isPlainIdentifier(_ name: String) -> Bool {
        if name.count > 2, name.hasPrefix("\""), name.hasSuffix("\"") { return isPlainIdentifier(String(name.dropFirst().dropLast())) }
        guard let first = name.utf8.first, first == 0x5F || (0x61...0x7A).contains(first) else { return false }
        return name.utf8.allSatisfy { $0 == 0x5F || (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) }
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
