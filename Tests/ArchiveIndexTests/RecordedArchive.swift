import AomiSimulator
import Foundation
import HTTPServing
import Recorder

/// An archive root filled by the real recorder from driven simulator traffic.
struct RecordedArchive {
    let root: String
    let sim: RunningServer
    let proxy: RecordingProxyServer
    let archive: WalletArchive

    static func start() async throws -> RecordedArchive {
        let root = NSTemporaryDirectory() + "aomi-index-\(UUID().uuidString.prefix(8))"
        let sim = try await RunningServer.start(router: SimulatorRoutes(backend: SimulatorBackend(configuration: .fast())).router())
        let key = try RedactionKey.loadOrCreate(root: root)
        let archive = WalletArchive(settings: .init(root: root, recorderID: "index-test", fsync: .never))
        let proxy = try await RecordingProxy(
            configuration: RecorderConfiguration(upstream: sim.baseURL), archive: archive,
            redactor: Redactor(key: key), logger: RunningServer.quietLogger()
        ).start()
        return RecordedArchive(root: root, sim: sim, proxy: proxy, archive: archive)
    }

    func drive(wallets: Int, threads: Int, messages: Int = 3, seed: UInt64 = 1) async throws -> DriverReport {
        try await AomiDriver(configuration: .fast(target: proxy.baseURL, wallets: wallets, threads: threads, messages: messages, seed: seed)).run()
    }

    /// Stops the recorder (closing its files) and the simulator.
    func stop() async throws {
        await proxy.stop()
        try await archive.close()
        await sim.stop()
    }

    var databasePath: String { root + "/index.sqlite" }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}
