import Foundation
import Synchronization

/// A throwaway S3 endpoint for one test: a single-node Ceph (one monitor, one OSD on
/// `memstore`, no manager) and its RADOS Gateway (`radosgw`, beast) on loopback ports, data
/// in a temporary folder, one S3 user. Debian's `ceph-mon`, `ceph-osd`, `radosgw` and
/// `ceph-common` (`tools/setup.sh` installs them). The gateway alone can be stopped and
/// started again (`stopGateway`, `startGateway`) to play a store that goes away mid-upload.
///
/// Its configuration is `tools/ceph/ceph.conf.in` (with the traps it avoids); the daemons are
/// stopped in order (gateway, OSD, monitor), each by its process.
public final class CephGateway: Sendable {
    public let folder: String
    public let port: Int
    public let accessKey = "aomi-test-access"
    public let secretKey = "aomi-test-secret-key-0123456789"
    private let monitor: SpawnedProcess
    private let storage: SpawnedProcess
    private let gateway: Mutex<SpawnedProcess?>

    /// `http://127.0.0.1:PORT`.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// The variables a command needs to reach this store (`AWS_ENDPOINT_URL`, region, keys).
    public var environment: [String: String] {
        ["AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": accessKey, "AWS_SECRET_ACCESS_KEY": secretKey]
    }

    private init(folder: String, port: Int, monitor: SpawnedProcess, storage: SpawnedProcess, gateway: SpawnedProcess) {
        self.folder = folder
        self.port = port
        self.monitor = monitor
        self.storage = storage
        self.gateway = Mutex(gateway)
    }

    /// Runs `body` with a fresh store, stopped and removed after however `body` ends.
    public static func with(_ body: (CephGateway) async throws -> Void) async throws {
        let store = try await start()
        do {
            try await body(store)
        } catch {
            await store.stop()
            throw error
        }
        await store.stop()
    }

    /// Starts a fresh store; a start that fails (a daemon ending while it starts: several
    /// suites start their stores at once, on a busy machine) is tried again with a new folder
    /// and new ports, up to three times, each failure said on stderr with its daemon's log.
    public static func start() async throws -> CephGateway {
        var failures: [String] = []
        for _ in 1...3 {
            do {
                return try await startOnce()
            } catch let error as CephGatewayError {
                FileHandle.standardError.write(Data("CephGateway: a start failed, trying again: \(error)\n".utf8))
                failures.append(error.message)
            }
        }
        throw CephGatewayError(message: "three starts failed: " + failures.joined(separator: " | "))
    }

    private static func startOnce() async throws -> CephGateway {
        guard isInstalled else { throw CephGatewayError(message: "Ceph is not installed: run tools/setup.sh (Debian's ceph-mon, ceph-osd, radosgw, ceph-common)") }
        let folder = TemporaryDirectory.path("aomi-ceph")
        for part in ["mon/ceph-a", "osd/ceph-0", "rgw", "log", "run"] {
            try FileManager.default.createDirectory(atPath: folder + "/" + part, withIntermediateDirectories: true)
        }
        let monitorPort = try LoopbackPort.free()
        let port = try LoopbackPort.free()
        let fsid = UUID().uuidString.lowercased()
        try configuration(folder: folder, fsid: fsid, monitorPort: monitorPort, gatewayPort: port).write(toFile: folder + "/ceph.conf", atomically: true, encoding: .utf8)
        var started: [SpawnedProcess] = []
        do {
            try await run("/usr/bin/ceph-authtool", ["--create-keyring", folder + "/keyring", "--gen-key", "-n", "mon.", "--cap", "mon", "allow *"])
            try await run("/usr/bin/monmaptool", ["--create", "--fsid", fsid, "--addv", "a", "[v2:127.0.0.1:\(monitorPort)]", folder + "/monmap"])
            try await run("/usr/bin/ceph-mon", ["-c", folder + "/ceph.conf", "--mkfs", "-i", "a", "--monmap", folder + "/monmap", "--keyring", folder + "/keyring"])
            let monitor = try SpawnedProcess("/usr/bin/ceph-mon", ["-c", folder + "/ceph.conf", "-f", "-i", "a"], output: folder + "/log/mon.out", errors: nil)
            started.append(monitor)
            try await waitFor("the monitor", folder: folder, process: monitor) { await ceph(folder, ["--connect-timeout", "2", "mon", "stat"]) != nil }
            let osd = UUID().uuidString.lowercased()
            try await run("/usr/bin/ceph", ["-c", folder + "/ceph.conf", "osd", "new", osd, "0"])
            try await run("/usr/bin/ceph-osd", ["-c", folder + "/ceph.conf", "-i", "0", "--mkfs", "--osd-uuid", osd])
            let storage = try SpawnedProcess("/usr/bin/ceph-osd", ["-c", folder + "/ceph.conf", "-f", "-i", "0"], output: folder + "/log/osd.out", errors: nil)
            started.append(storage)
            try await waitFor("the OSD", folder: folder, process: storage) { await ceph(folder, ["osd", "stat"])?.contains("1 up") ?? false }
            let gateway = try launchGateway(folder: folder)
            started.append(gateway)
            try await waitFor("radosgw", folder: folder, process: gateway) { answers(port: port) }
            let store = CephGateway(folder: folder, port: port, monitor: monitor, storage: storage, gateway: gateway)
            try await run(
                "/usr/bin/radosgw-admin",
                ["-c", folder + "/ceph.conf", "user", "create", "--uid=tester", "--display-name=Tester", "--access-key=\(store.accessKey)", "--secret=\(store.secretKey)"])
            return store
        } catch {
            for process in started.reversed() { await Self.stop(process) }
            let logs = logTails(folder: folder)
            try? FileManager.default.removeItem(atPath: folder)
            if let error = error as? CephGatewayError { throw CephGatewayError(message: error.message + logs) }
            throw error
        }
    }

    /// Stops the gateway only: the store is unreachable until `startGateway()`; what it
    /// holds stays.
    public func stopGateway() async {
        guard let running = gateway.withLock({ $0 }) else { return }
        await Self.stop(running)
        gateway.withLock { $0 = nil }
    }

    /// Starts the gateway again on the same port.
    public func startGateway() async throws {
        let process = try Self.launchGateway(folder: folder)
        gateway.withLock { $0 = process }
        try await Self.waitFor("radosgw", folder: folder, process: process) { Self.answers(port: port) }
    }

    /// Stops every daemon, in order, and removes the folder.
    public func stop() async {
        await stopGateway()
        await Self.stop(storage)
        await Self.stop(monitor)
        try? FileManager.default.removeItem(atPath: folder)
    }

    // MARK: Helpers

    public static var isInstalled: Bool {
        ["/usr/bin/ceph-mon", "/usr/bin/ceph-osd", "/usr/bin/radosgw", "/usr/bin/ceph", "/usr/bin/radosgw-admin"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `tools/ceph/ceph.conf.in` filled in (shared with `tools/bench/store.sh`).
    private static func configuration(folder: String, fsid: String, monitorPort: Int, gatewayPort: Int) throws -> String {
        let template = try String(contentsOfFile: Repository.root + "/tools/ceph/ceph.conf.in", encoding: .utf8)
        return [("@FSID@", fsid), ("@MON_PORT@", String(monitorPort)), ("@GATEWAY_PORT@", String(gatewayPort)), ("@DIR@", folder), ("@MEMSTORE_BYTES@", "4294967296")]
            .reduce(template) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }

    private static func launchGateway(folder: String) throws -> SpawnedProcess {
        try SpawnedProcess("/usr/bin/radosgw", ["-c", folder + "/ceph.conf", "-f", "-n", "client.rgw.a"], output: folder + "/log/rgw.out", errors: nil)
    }

    /// Whether something answers HTTP on the port.
    private static func answers(port: Int) -> Bool {
        guard let child = try? SpawnedProcess("/usr/bin/curl", ["-s", "-m", "2", "-o", "/dev/null", "http://127.0.0.1:\(port)/"], output: "/dev/null", errors: nil) else {
            return false
        }
        return child.waitBlocking() == 0
    }

    /// The output of a `ceph` command, nil when it fails.
    private static func ceph(_ folder: String, _ arguments: [String]) async -> String? {
        guard let output = try? await ChildProcess.run("/usr/bin/ceph", ["-c", folder + "/ceph.conf"] + arguments), output.status == 0 else { return nil }
        return output.standardOutput
    }

    private static func run(_ executable: String, _ arguments: [String]) async throws {
        let output = try await ChildProcess.run(executable, arguments)
        guard output.status == 0 else {
            throw CephGatewayError(message: "\((executable as NSString).lastPathComponent) \(arguments.joined(separator: " ")): \(output.standardError)")
        }
    }

    /// The last lines of each daemon's log and output, for an error (the folder is removed).
    private static func logTails(folder: String) -> String {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/log")) ?? []).sorted()
        return names.compactMap { name -> String? in
            guard let text = try? String(contentsOfFile: folder + "/log/" + name, encoding: .utf8), !text.isEmpty else { return nil }
            return "\n--- \(name):\n" + text.split(separator: "\n").suffix(12).joined(separator: "\n")
        }.joined()
    }

    /// Polls `ready` until it holds; fails when the daemon ends first. No deadline: the
    /// test's time limit catches a daemon that never comes up.
    private static func waitFor(_ what: String, folder: String, process: SpawnedProcess, ready: () async -> Bool) async throws {
        while await !ready() {
            guard process.isRunning else {
                throw CephGatewayError(message: "\(what) ended while starting (status \(process.terminationStatus.map(String.init) ?? "?"))")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// SIGKILL, then reaped: the data is thrown away, and the daemons, started from the
    /// tests, do not always end on SIGTERM within seconds. A killed gateway is also the harder
    /// case for a client: its connections end without a word.
    private static func stop(_ process: SpawnedProcess) async {
        process.signal(SIGKILL)
        _ = await process.wait()
    }
}

/// Why the throwaway Ceph store could not be made.
public struct CephGatewayError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
