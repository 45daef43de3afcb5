import Foundation
import Synchronization

/// The two stores the index tests run against, unchanged: SQLite (a file) and PostgreSQL (a
/// database of its own on the process's shared throwaway server).
public enum IndexBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }

    /// A new, empty index for one test: a file in `folder`, or a new database.
    public func newIndex(in folder: String) async throws -> String {
        switch self {
        case .sqlite:
            return folder + "/index-\(UUID().uuidString.prefix(8)).sqlite"
        case .postgres:
            return try await PostgresServer.shared().createDatabase("index_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "_"))
        }
    }
}

extension PostgresServer {
    /// One server for the tests of this process that need only a database of their own:
    /// started at first use, stopped (and its folder removed) when the process exits.
    public static func shared() async throws -> PostgresServer {
        try await sharedServer.value
    }
}

private let sharedServer = Task { () throws -> PostgresServer in
    let server = try await PostgresServer.start()
    sharedServerFolder.withLock { $0 = server.folder }
    atexit {
        guard let folder = sharedServerFolder.withLock({ $0 }) else { return }
        PostgresServer.stopAtExit(folder: folder)
    }
    return server
}

private let sharedServerFolder = Mutex<String?>(nil)
