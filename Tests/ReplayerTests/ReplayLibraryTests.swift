import AomiAPI
import AomiArchive
import Foundation
import TestSupport
import Testing

@testable import Replayer

/// `ReplayLibrary.load`, which prepares a replay folder by folder without keeping the
/// recorded requests, against the sessions read whole (`RecordedArchive.load`): the same
/// sessions in the same order, and the same answer to every recorded request.
@Suite struct ReplayLibraryTests {
    static let walletOne = "0x1111111111111111111111111111111111111111"
    static let walletTwo = "0x2222222222222222222222222222222222222222"

    /// Sessions laid out as recorders leave them: one begun in `_unbound` before its wallet was
    /// known, one whole in its wallet's folder, one id sent with two wallets, session-less
    /// thread lists, a stream, and a poll repeated past the recording.
    private func declared() async throws -> ArchiveBuilder {
        let builder = ArchiveBuilder()
        func snapshot(_ text: String) -> SessionSnapshot { SessionSnapshot(messages: [ChatMessage(sender: "agent", content: text)]) }
        try await builder.json(session: "split", "POST", "/api/sessions", ["session_id": "split"])
        try await builder.json(session: "split", "GET", "/api/state", snapshot("before the wallet"))
        try await builder.json(session: "whole", wallet: Self.walletOne, "GET", "/api/state", snapshot("whole one"))
        try await builder.json(session: "split", wallet: Self.walletOne, "POST", "/api/chat?message=hello", snapshot("after the wallet"))
        try await builder.json(session: "split", wallet: Self.walletOne, "GET", "/api/state", snapshot("answered"))
        try await builder.json(session: nil, "GET", "/api/sessions?public_key=\(Self.walletOne)", [["session_id": "split"]])
        // The second wallet's folder sorts after the first's, but its request came first.
        try await builder.json(session: "twice", wallet: Self.walletTwo, "GET", "/api/state", snapshot("second wallet"))
        try await builder.json(session: "twice", wallet: Self.walletOne, "GET", "/api/state", snapshot("first wallet"))
        try await builder.stream(session: "whole", wallet: Self.walletOne, events: [(.milliseconds(5), "data: {\"type\":\"title_changed\"}\n\n")], end: .upstreamClosed)
        try await builder.json(session: "whole", wallet: Self.walletOne, "GET", "/api/state", snapshot("whole two"))
        try await builder.close()
        return builder
    }

    @Test("prepared folder by folder, a replay has the same sessions and gives every recorded request the same answer")
    func theLibraryServesAsTheWholeArchiveDoes() async throws {
        let builder = try await declared()
        defer { builder.remove() }
        let files = try RecordedArchive.archiveFiles(under: builder.root)
        #expect(Set(files.map { (($0 as NSString).deletingLastPathComponent as NSString).lastPathComponent }).count == 3, "_unbound and two wallets")
        let archive = try RecordedArchive.load(files: files)
        let library = try ReplayLibrary.load(files: files)
        #expect(library.scripts.map(\.id) == archive.sessions.map(\.id))
        #expect(library.scripts.map(\.wallet) == archive.sessions.map(\.wallet))
        #expect(library.exchangeCount == archive.sessions.reduce(0) { $0 + $1.exchanges.count })
        #expect(library.scripts.first { $0.id == "twice" }?.answers.count == 2, "one id sent with two wallets is one session")
        let whole = ReplayEngine(archive: archive)
        let prepared = ReplayEngine(library: library)
        var compared = 0
        for session in archive.sessions {
            // Each request once, then the last one again: past the recording.
            for exchange in session.exchanges + session.exchanges.suffix(1) {
                let recorded = exchange.request
                let request = ReplayRequest(method: recorded.method, target: recorded.target, fields: recorded.fields, body: recorded.body)
                let expected = whole.respond(to: request)
                let served = prepared.respond(to: request)
                #expect(expected.kind == .hit, "\(recorded.method) \(recorded.target)")
                #expect(served.kind == expected.kind && served.status == expected.status, "\(recorded.method) \(recorded.target)")
                #expect(HTTPResponseBytes.bytes(of: served.answer, extra: []) == HTTPResponseBytes.bytes(of: expected.answer, extra: []))
                #expect(served.delay == expected.delay && served.streamSession == expected.streamSession)
                compared += 1
            }
        }
        #expect(compared == archive.sessions.reduce(0) { $0 + $1.exchanges.count + 1 })
    }

    @Test("a wallet's selection and named sessions select as RecordedArchive.load does")
    func selectionsAgree() async throws {
        let builder = try await declared()
        defer { builder.remove() }
        let files = try RecordedArchive.archiveFiles(under: builder.root)
        for selection in [SessionSelection(wallet: Self.walletOne), SessionSelection(wallet: Self.walletTwo), SessionSelection(sessions: ["split", ""])] {
            let archive = try RecordedArchive.load(files: files, selection: selection)
            let library = try ReplayLibrary.load(files: files, selection: selection)
            #expect(!archive.sessions.isEmpty)
            #expect(library.scripts.map(\.id) == archive.sessions.map(\.id), "\(selection)")
            #expect(library.exchangeCount == archive.sessions.reduce(0) { $0 + $1.exchanges.count }, "\(selection)")
        }
    }
}
