import AomiArchive
import ArgumentParser
import Foundation
import Replayer

/// `aomi-archive export`: some sessions as a self-contained WARC or a HAR file.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write sessions to a self-contained .warc.gz (revisits resolved) or a HAR 1.2 file.",
        discussion: "The WARC is for bug reports and other WARC tools; the HAR opens in a browser's developer tools (Network, Import HAR)."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case warc, har
    }

    @OptionGroup var source: ReplaySource

    @Option(help: "warc or har.")
    var format: Format = .warc

    @Option(name: [.short, .customLong("output")], help: "File to write.")
    var output: String

    @Flag(help: "WARC only: each SSE stream as one whole response with an event list, which WARC players such as pywb serve (the replay reads both forms).")
    var playable = false

    func validate() throws {
        if source.session.isEmpty, source.wallet == nil { throw ValidationError("name --session or --wallet") }
    }

    func run() async throws {
        let (paths, checkout) = try await source.resolve(command: "export")
        defer { checkout?.release() }
        let archive = try source.load(paths: paths)
        switch format {
        case .warc:
            let count = try await WARCExporter(files: paths, sessions: Set(archive.sessions.map(\.id)), wallet: source.wallet, playable: playable).write(to: output)
            print("exported \(Counted.of(archive.sessions.count, "session")) as \(Counted.of(count, "record")) to \(output)")
        case .har:
            try HARExporter(sessions: archive.sessions).write(to: output)
            let entries = Counted.of(archive.sessions.reduce(0) { $0 + $1.exchanges.count }, "entry", plural: "entries")
            print("exported \(Counted.of(archive.sessions.count, "session")), \(entries) to \(output)")
        }
    }
}
