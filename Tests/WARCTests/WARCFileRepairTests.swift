import Foundation
import TestSupport
import Testing

@testable import WARC

@Suite struct WARCFileRepairTests {
    /// An `.open` file as a crash leaves it: a torn last member, and an SSE stream without end.
    private func crashedFile(_ directory: TemporaryDirectory) async throws -> (path: String, intact: Int, originID: String) {
        let writer = try WARCWriter(configuration: WARCWriterConfiguration(directory: directory.path, writerID: "crash"))
        let request = SampleRecords.request()
        try await writer.write(request)
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
        let origin = WARCRecord(
            type: .response,
            headers: [
                (WARCField.targetURI, "http://127.0.0.1:8080/api/updates"),
                (WARCField.contentType, WARCValue.httpResponseContentType),
                (WARCField.segmentNumber, "1"),
            ], block: Array(head.utf8))
        let originID = try await writer.write(origin).record.recordID!
        let event = WARCRecord(
            type: .continuation,
            headers: [
                (WARCField.targetURI, "http://127.0.0.1:8080/api/updates"),
                (WARCField.segmentOriginID, originID),
                (WARCField.segmentNumber, "2"),
            ], block: Array("data: {\"type\":\"title_changed\"}\n\n".utf8))
        try await writer.write(event)
        try await writer.write(SampleRecords.response())
        try await writer.sync()
        let path = try #require(directory.files(withSuffix: ".open").first)
        let bytes = readBytes(path)
        let records = try WARCFileReader.readAll(path: path).records
        let lastMember = Int(records.last!.offset)
        writeBytes(Array(bytes[..<(lastMember + 40)]), to: path)
        return (path, records.count - 1, originID)
    }

    @Test func aTornOpenFileIsCutEndedAndClosed() async throws {
        let directory = TemporaryDirectory()
        let (path, intact, originID) = try await crashedFile(directory)
        let report = try WARCFileRepair.repair(path: path, finalSegmentFields: [("Aomi-Stream-End", "error")])
        #expect(report.intactRecords == intact)
        #expect(report.bytesCut == 40)
        #expect(report.closedSegmentOrigins == [originID])
        #expect(report.damage.map(\.kind) == [.truncatedMember])
        let repaired = try #require(report.repairedPath)
        #expect(repaired == String(path.dropLast(".open".count)))
        #expect(!FileManager.default.fileExists(atPath: path))

        let (records, damage) = try WARCFileReader.readAll(path: repaired)
        #expect(damage.isEmpty)
        #expect(records.count == intact + 1)
        let last = try #require(records.last?.record)
        #expect(last.type == .continuation)
        #expect(last.headers[WARCField.segmentOriginID] == originID)
        #expect(last.headers[WARCField.segmentNumber] == "3")
        #expect(last.headers[WARCField.truncated] == "disconnect")
        #expect(last.headers["Aomi-Stream-End"] == "error")
        let streamLength = records.filter { $0.record.recordID == originID || $0.record.headers[WARCField.segmentOriginID] == originID }
            .map(\.record.block.count).reduce(0, +)
        #expect(last.headers[WARCField.segmentTotalLength] == String(streamLength))

        let check = try await Warcio.run(["check", "-v", repaired])
        #expect(check.status == 0, "\(check.output)")
    }

    @Test func inspectNamesAStreamWithoutItsLastSegmentUntilRepairEndsIt() async throws {
        let directory = TemporaryDirectory()
        let (path, _, originID) = try await crashedFile(directory)
        let before = try WARCInspector().inspect(path: path, onEntry: { _ in })
        #expect(before.unfinishedStreams == [originID])
        #expect(WARCInspector().summaryLines(before).contains { $0.hasPrefix("unfinished streams: 1") && $0.contains(originID) })
        let repaired = try #require(try WARCFileRepair.repair(path: path).repairedPath)
        let after = try WARCInspector().inspect(path: repaired, onEntry: { _ in })
        #expect(after.unfinishedStreams.isEmpty)
        #expect(!WARCInspector().summaryLines(after).contains { $0.hasPrefix("unfinished streams") })
    }

    @Test func repairingAllOpenFilesUnderAFolderFindsThemRecursively() async throws {
        let root = TemporaryDirectory()
        let nested = TemporaryDirectory()
        let sub = root.file("0xabc")
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
        let (path, _, _) = try await crashedFile(nested)
        try FileManager.default.moveItem(atPath: path, toPath: (sub as NSString).appendingPathComponent((path as NSString).lastPathComponent))
        let reports = try WARCFileRepair.repairOpenFiles(under: root.path)
        #expect(reports.count == 1)
        #expect(WARCFileRepair.openFiles(under: root.path).isEmpty)
    }

    @Test func anOpenFileWithNothingIntactIsRemoved() async throws {
        let directory = TemporaryDirectory()
        let path = directory.file("x.warc.gz.open")
        writeBytes([0x1F, 0x8B, 0x08, 0x00], to: path)
        let report = try WARCFileRepair.repair(path: path)
        #expect(report.repairedPath == nil)
        #expect(report.intactRecords == 0)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    /// What a full disk left before the writer cut its failed appends back: a torn member in
    /// the middle of a file, good records behind it.
    @Test func aTearInTheMiddleOfAFileIsRewrittenAway() async throws {
        let directory = TemporaryDirectory()
        let writer = try WARCWriter(configuration: WARCWriterConfiguration(directory: directory.path, writerID: "tear"))
        for _ in 0..<3 { try await writer.write([SampleRecords.request(), SampleRecords.response()]) }
        let path = try #require(try await writer.close().first)
        let records = try WARCFileReader.readAll(path: path).records
        let bytes = readBytes(path)
        let tornAt = Int(records[3].offset)
        // Half of the fourth record's member, then the rest of the file as it was.
        let torn = Array(bytes[..<(tornAt + Int(records[3].length) / 2)]) + Array(bytes[Int(records[4].offset)...])
        writeBytes(torn, to: path)
        let before = try WARCFileReader.readAll(path: path)
        #expect(before.damage.count == 1 && before.records.count == records.count - 1, "the reader skips the tear and goes on")
        let broken = try await Warcio.run(["check", path])
        #expect(broken.status != 0 || broken.output.contains("skipping"), "warcio stops at the tear: \(broken.output)")

        let report = try WARCFileRepair.repair(path: path)
        #expect(report.repairedPath == path)
        #expect(report.intactRecords == records.count - 1)
        #expect(report.bytesCut == Int64(records[3].length) / 2)
        let after = try WARCFileReader.readAll(path: path)
        #expect(after.damage.isEmpty)
        #expect(after.records.map(\.record.recordID) == records.enumerated().filter { $0.offset != 3 }.map(\.element.record.recordID))
        #expect(!FileManager.default.fileExists(atPath: path + WARCReplacementFile.suffix))
        let check = try await Warcio.run(["check", "-v", path])
        #expect(check.status == 0, "\(check.output)")
    }
}
