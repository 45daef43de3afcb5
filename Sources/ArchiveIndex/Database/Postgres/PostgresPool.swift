import Foundation

/// Connections to one PostgreSQL index, kept open between uses: a query or an index run takes
/// one for its duration (libpq's rule: one thread per connection) and gives it back; a
/// connection that broke is closed instead of kept.
final class PostgresPool: @unchecked Sendable {
    let location: PostgresLocation
    private let lock = NSLock()
    /// Idle connections; guarded by `lock`.
    private var idle: [PostgresConnection] = []
    private let keepIdle = 8

    init(location: PostgresLocation) {
        self.location = location
    }

    /// Runs `body` with a connection of its own.
    @discardableResult
    func withConnection<Result>(_ body: (PostgresConnection) throws(IndexError) -> Result) throws(IndexError) -> Result {
        let connection = try take()
        defer { giveBack(connection) }
        return try body(connection)
    }

    private func take() throws(IndexError) -> PostgresConnection {
        if let reused = lock.withLock({ idle.popLast() }) { return reused }
        return try PostgresConnection(location)
    }

    private func giveBack(_ connection: PostgresConnection) {
        guard connection.isUsable else { return }
        lock.withLock {
            if idle.count < keepIdle { idle.append(connection) }
        }
    }
}
