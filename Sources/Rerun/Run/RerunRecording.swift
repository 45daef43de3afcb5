import AomiArchive
import Conversation
import Foundation
import HTTPServing
import Logging
import Recorder

/// The rerun's own recorder: a recording proxy on a loopback port in front of the upstream,
/// writing into the record root under a recorder id of its own, and, once stopped, the rerun
/// sessions read back from what it wrote.
struct RerunRecording: Sendable {
    let server: ChannelServer
    let archive: WalletArchive
    let lock: RecorderLock
    let root: String
    let marks: RerunMarks

    var baseURL: String { server.baseURL }

    static func start(configuration: RerunConfiguration, marks: RerunMarks, logger: Logger) async throws(RerunError) -> RerunRecording {
        let root = configuration.recordRoot
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let recorderID = RecorderLock.newID()
            let lock = try RecorderLock(id: recorderID, root: root)
            let key = try RedactionKey.loadOrCreate(root: root)
            let archive = WalletArchive(
                settings: .init(
                    root: root, recorderID: recorderID,
                    info: ArchiveInfo(upstream: configuration.upstream, redactionKeyID: key.id, extra: [("capture-note", "aomi-archive rerun")])))
            let proxy = RecordingProxy(
                configuration: RecorderConfiguration(upstream: configuration.upstream, upstreamTLS: configuration.upstreamTLS, rerunMarks: marks),
                archive: archive, redactor: Redactor(key: key), logger: Self.quieter(logger))
            let server = try await proxy.start()
            return RerunRecording(server: server, archive: archive, lock: lock, root: root, marks: marks)
        } catch {
            throw .recording(root: root, cause: "\(error)")
        }
    }

    /// The recorder's logger: its line per exchange (`info`) is the report's business here,
    /// so it logs from `notice` up unless `--log-level debug` or `trace` asked for everything.
    static func quieter(_ logger: Logger) -> Logger {
        var quieter = logger
        if quieter.logLevel == .info { quieter.logLevel = .notice }
        return quieter
    }

    /// Stops the proxy, closes its files, and reads the rerun sessions back (by new session id).
    func finish() async throws(RerunError) -> [String: RecordedConversation] {
        await server.stop()
        let written: [String]
        do {
            written = try await archive.close()
        } catch {
            throw .recording(root: root, cause: "the rerun's files could not be closed: \(error)")
        }
        withExtendedLifetime(lock) {}
        // Revisits may refer to earlier files of the same wallet folder: read those folders whole.
        let folders = Set(written.map { ($0 as NSString).deletingLastPathComponent })
        let files = ((try? ArchiveFiles.find(under: root)) ?? []).filter { folders.contains(($0 as NSString).deletingLastPathComponent) }
        guard !files.isEmpty else { return [:] }
        do {
            let recorded = try RecordedArchive.load(files: files)
            return Dictionary(
                recorded.sessions.filter { marks.original(of: $0.id) != nil }.map { ($0.id, RecordedConversation($0)) }, uniquingKeysWith: { first, _ in first })
        } catch {
            throw .recording(root: root, cause: "the rerun's records could not be read back: \(error)")
        }
    }
}
