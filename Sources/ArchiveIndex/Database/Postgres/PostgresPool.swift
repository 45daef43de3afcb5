import Foundation
import Synchronization

/// Connections to one PostgreSQL index, kept open between uses: a query or an index run takes
/// one for its duration (libpq's rule: one thread per connection) and gives it back; a
/// connection that broke is closed instead of kept.
final class PostgresPool: Sendable {
    let location: PostgresLocation
    private let idle = Mutex<[PostgresConnection]>([])
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
        if let reused = idle.withLock({ $0.popLast() }) { return reused }
        return try PostgresConnection(location)
    }

    private func giveBack(_ connection: PostgresConnection) {
        guard connection.isUsable else { return }
        idle.withLock { idle in
            if idle.count < keepIdle { idle.append(connection) }
        }
    }
}
