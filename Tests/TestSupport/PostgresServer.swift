import Foundation

/// A throwaway PostgreSQL cluster for one test: `initdb` into a temporary folder, the server
/// on a free loopback port (no fsync, trust authentication for user `aomi`), stopped and
/// removed by `stop()`. Uses Debian's `postgresql` package (`tools/setup.sh` installs it); as
/// root, the cluster runs as the `postgres` user, as PostgreSQL requires. Unchecked Sendable:
/// it holds only constants and the server's `SpawnedProcess`.
public final class PostgresServer: Sendable {
    public let folder: String
    public let port: Int
    private let binaries: String
    private let server: SpawnedProcess

    /// `postgres://aomi@127.0.0.1:PORT/NAME`.
    public func url(database: String = "postgres") -> String {
        "postgres://aomi@127.0.0.1:\(port)/\(database)"
    }

    private init(folder: String, port: Int, binaries: String, server: SpawnedProcess) {
        self.folder = folder
        self.port = port
        self.binaries = binaries
        self.server = server
    }

    /// Runs `body` with a fresh server, stopped after however `body` ends.
    public static func with(_ body: (PostgresServer) async throws -> Void) async throws {
        let server = try await start()
        do {
            try await body(server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    public static func start() async throws -> PostgresServer {
        let binaries = try requireBinaries()
        let folder = TemporaryDirectory.path("aomi-pg")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if getuid() == 0, let user = getpwnam("postgres") { chown(folder, user.pointee.pw_uid, user.pointee.pw_gid) }
        let initialised = try await ChildProcess.run(
            launcher[0], launcher.dropFirst() + [binaries + "/initdb", "-D", folder + "/data", "-A", "trust", "-U", "aomi", "-E", "UTF8", "--locale=C", "--no-sync"])
        guard initialised.status == 0 else { throw PostgresServerError(message: "initdb: \(initialised.standardError)") }
        var lastFailure = ""
        for attempt in 0..<5 {
            let port = try LoopbackPort.free()
            let log = folder + "/server-\(attempt).log"
            let server = try launch(binaries + "/postgres", folder: folder, port: port, log: log)
            if try await waitUntilReady(server, log: log) {
                return PostgresServer(folder: folder, port: port, binaries: binaries, server: server)
            }
            lastFailure = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        }
        try? FileManager.default.removeItem(atPath: folder)
        throw PostgresServerError(message: "postgres did not start: \(lastFailure)")
    }

    /// The server in the foreground, as a child of the tests (not daemonised by `pg_ctl`: a
    /// daemon would keep the descriptors Foundation watches to see a child end).
    private static func launch(_ postgres: String, folder: String, port: Int, log: String) throws -> SpawnedProcess {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        if getuid() == 0, let user = getpwnam("postgres") { chown(log, user.pointee.pw_uid, user.pointee.pw_gid) }
        return try SpawnedProcess(
            launcher[0],
            Array(launcher.dropFirst()) + [
                postgres, "-D", folder + "/data", "-p", String(port), "-k", folder, "-c", "listen_addresses=127.0.0.1",
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            ], output: log, errors: nil)
    }

    /// Waits until the log says the server accepts connections (true) or the server ends
    /// (false: the port was taken meanwhile, say). No deadline: the test's time limit is the
    /// hang catcher.
    private static func waitUntilReady(_ server: SpawnedProcess, log: String) async throws -> Bool {
        while true {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if text.contains("ready to accept connections") { return true }
            if !server.isRunning { return false }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Creates a database and returns its URL.
    public func createDatabase(_ name: String) async throws -> String {
        let created = try await ChildProcess.run(binaries + "/createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "aomi", name])
        guard created.status == 0 else { throw PostgresServerError(message: "createdb \(name): \(created.standardError)") }
        return url(database: name)
    }

    /// Stops the server at once (SIGQUIT to the postmaster, whose pid is the first line of
    /// `postmaster.pid`), waits for it to end and removes the cluster.
    public func stop() async {
        let pidFile = (try? String(contentsOfFile: folder + "/data/postmaster.pid", encoding: .utf8)) ?? ""
        if let pid = pidFile.split(separator: "\n").first.flatMap({ Int32($0) }) { kill(pid, SIGQUIT) }
        await server.wait()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Stops the server of the cluster in `folder` from a process's exit handler (no waiting
    /// on tasks there): SIGQUIT to the postmaster, a few seconds for it to end, the folder removed.
    static func stopAtExit(folder: String) {
        let pidFile = (try? String(contentsOfFile: folder + "/data/postmaster.pid", encoding: .utf8)) ?? ""
        if let pid = pidFile.split(separator: "\n").first.flatMap({ Int32($0) }) {
            kill(pid, SIGQUIT)
            for _ in 0..<250 where kill(pid, 0) == 0 { usleep(20_000) }
        }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// The newest installed PostgreSQL's programs (`/usr/lib/postgresql/N/bin`), if any.
    static func installedBinaries() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        guard let newest = versions.last, FileManager.default.isExecutableFile(atPath: "\(root)/\(newest)/bin/initdb") else { return nil }
        return "\(root)/\(newest)/bin"
    }

    private static func requireBinaries() throws -> String {
        guard let binaries = installedBinaries() else {
            throw PostgresServerError(message: "no PostgreSQL server under /usr/lib/postgresql: run tools/setup.sh (Debian's postgresql)")
        }
        return binaries
    }

    /// What runs the server's programs: `runuser -u postgres --` when the tests run as root.
    private static var launcher: [String] {
        getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : ["/usr/bin/env"]
    }
}

/// Why the throwaway PostgreSQL server could not be made.
public struct PostgresServerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
