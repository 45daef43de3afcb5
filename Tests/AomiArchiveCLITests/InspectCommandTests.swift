import Foundation
import TestSupport
import Testing
import WARC

/// `aomi-archive inspect`, run as a process on real files.
@Suite struct InspectCommandTests {
    private func archive(in folder: String, pairs: Int) async throws -> String {
        let writer = try WARCWriter(configuration: WARCWriterConfiguration(directory: folder, writerID: "cli"))
        for index in 0..<pairs {
            let request = WARCRecord(
                type: .request,
                headers: [
                    (WARCField.targetURI, "http://127.0.0.1:9/api/state"),
                    (WARCField.contentType, WARCValue.httpRequestContentType),
                    ("Aomi-Session-Id", "session-\(index)"),
                ], block: Array("GET /api/state HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            let body = "{\"n\":\(index)}"
            let response = WARCRecord(
                type: .response,
                headers: [
                    (WARCField.targetURI, "http://127.0.0.1:9/api/state"),
                    (WARCField.contentType, WARCValue.httpResponseContentType),
                    ("Aomi-Session-Id", "session-\(index)"),
                ], block: Array("HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\n\r\n\(body)".utf8))
            try await writer.write([request, response])
        }
        return try await writer.close()[0]
    }

    private func folder() throws -> String {
        let path = TemporaryDirectory.path("aomi-inspect")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func listsEveryRecordWithSessionAndSummary() async throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = try await archive(in: folder, pairs: 2)
        let result = try await CommandRunner.run(["inspect", path])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        let recordLines = lines.filter { $0.contains("http://127.0.0.1:9/api/state") }
        #expect(recordLines.count == 4)
        #expect(recordLines[0].contains("request") && recordLines[0].contains(" session-0"))
        #expect(recordLines[3].contains("response") && recordLines[3].contains(" session-1"))
        #expect(lines.contains { $0.contains("records: 5 (request 2, response 2, warcinfo 1)") })
        #expect(lines.contains { $0.contains("damage: none") })
    }

    @Test func jsonOutputIsOneObjectPerLine() async throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = try await archive(in: folder, pairs: 1)
        let result = try await CommandRunner.run(["inspect", "--json", path])
        #expect(result.status == 0)
        let objects = try result.standardOutput.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        #expect(objects.map { $0["kind"] as? String } == ["record", "record", "record", "summary"])
        #expect(objects[1]["type"] as? String == "request")
        #expect((objects[1]["fields"] as? [String: String])?["Aomi-Session-Id"] == "session-0")
        #expect(objects[3]["records"] as? Int == 3)
    }

    @Test func damageMakesTheExitStatusNonZeroAndRepairFixesATornOpenFile() async throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = try await archive(in: folder, pairs: 2)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let torn = path + ".open"
        try bytes.dropLast(25).write(to: URL(fileURLWithPath: torn))
        try FileManager.default.removeItem(atPath: path)

        let damaged = try await CommandRunner.run(["inspect", torn])
        #expect(damaged.status == 1)
        #expect(damaged.standardOutput.contains("truncated-member"))

        let repaired = try await CommandRunner.run(["inspect", "--repair", torn])
        #expect(repaired.status == 0, "\(repaired.standardOutput)\(repaired.standardError)")
        #expect(repaired.standardOutput.contains("repaired as \(path)"))
        #expect(repaired.standardOutput.contains("records: 4"))
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func aFileWithNoIntactRecordIsRemovedOnlyWhenAskedTo() async throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/20261205T000000Z-gone-00001.warc.gz"
        try Data([0x1F, 0x8B, 0x08, 0x00] + Array(repeating: 0x41, count: 200)).write(to: URL(fileURLWithPath: path))

        let kept = try await CommandRunner.run(["inspect", "--repair", path])
        #expect(kept.status == 2, "\(kept.standardOutput)")
        #expect(kept.standardError.contains("holds no intact record") && kept.standardError.contains("--discard-unreadable"), "\(kept.standardError)")
        #expect(FileManager.default.fileExists(atPath: path), "nothing is removed unasked")

        let removed = try await CommandRunner.run(["inspect", "--repair", "--discard-unreadable", path])
        #expect(removed.standardOutput.contains("removed: no intact record"), "\(removed.standardOutput)\(removed.standardError)")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func aMissingFileIsExitStatusTwoWithItsName() async throws {
        let result = try await CommandRunner.run(["inspect", "/nonexistent/x.warc.gz"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("/nonexistent/x.warc.gz"))
    }
}
