import AomiAPI
import AomiArchive
import Foundation
import Replayer
import Testing
import WARC

/// `verify`: passes on a good archive, twice the same; names the request whose response was altered.
@Suite("verify")
struct ReplayVerifierTests {
    @Test("a good archive verifies with no differences, twice with the same report")
    func goodArchivePasses() async throws {
        let recording = try await RecordedReplay.record(wallets: 2, threads: 1, messages: 2)
        defer { recording.remove() }
        let first = try await ReplayVerifier(archive: recording.archive).run()
        let second = try await ReplayVerifier(archive: recording.archive).run()
        #expect(first.passed, "\(first.differences)")
        #expect(first == second)
        #expect(first.sessions == 3, "two threads and the requests without a session (secrets registered at start, thread lists)")
        #expect(first.requests == recording.archive.sessions.reduce(0) { $0 + $1.exchanges.count })
        #expect(first.events > 0)
    }

    @Test("an archive whose response body was altered fails, naming the request")
    func alteredResponseFails() async throws {
        let recording = try await RecordedReplay.record(wallets: 1, threads: 1, messages: 2)
        defer { recording.remove() }
        let file = try #require(try RecordedArchive.archiveFiles(under: recording.root).first)
        let (records, damage) = try WARCFileReader.readAll(path: file)
        #expect(damage.isEmpty)
        // Alter the body of the first chat answer; keep the digest of what the client received.
        var altered = false
        var rewritten: [WARCRecord] = []
        for stored in records {
            var record = stored.record
            if !altered, record.type == .response, record.targetURI?.contains(AomiPath.chat) == true, let head = record.httpHeadLength {
                let index = record.block[head...].firstIndex(of: UInt8(ascii: "a"))!
                record.block[index] = UInt8(ascii: "A")
                record.headers.remove(WARCField.blockDigest)
                altered = true
            }
            if record.type != .warcinfo { rewritten.append(record) }
        }
        try #require(altered)
        let folder = (file as NSString).deletingLastPathComponent
        let writer = try WARCWriter(configuration: WARCWriterConfiguration(directory: folder, writerID: "altered", fsync: .never))
        _ = try await writer.write(rewritten)
        _ = try await writer.close()
        try FileManager.default.removeItem(atPath: file)

        let archive = try RecordedArchive.load(files: try RecordedArchive.archiveFiles(under: recording.root))
        let report = try await ReplayVerifier(archive: archive).run()
        #expect(!report.passed)
        let chat = try #require(archive.sessions.first?.exchanges.first { $0.request.path == AomiPath.chat })
        #expect(report.differences.contains { $0.contains("#\(chat.sequence) POST \(chat.request.target)") && $0.contains("WARC-Payload-Digest") })
    }
}
