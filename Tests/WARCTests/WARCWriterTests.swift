import Foundation
import TestSupport
import Testing

@testable import WARC

@Suite struct WARCWriterTests {
    @Test func eachRecordIsItsOwnGzipMemberAndReadsBack() async throws {
        let directory = TemporaryDirectory()
        let writer = try WARCWriter(configuration: WARCWriterConfiguration(directory: directory.path, writerID: "t"))
        let request = SampleRecords.request()
        let receipts = try await writer.write([request, SampleRecords.response(concurrentTo: request.recordID)])
        #expect(directory.files(withSuffix: ".warc.gz.open").count == 1)
        let path = try await writer.close()[0]
        #expect(directory.files(withSuffix: ".open").isEmpty)
        #expect(FileManager.default.fileExists(atPath: path))

        let (records, damage) = try WARCFileReader.readAll(path: path)
        #expect(damage.isEmpty)
        #expect(records.map(\.record.type) == [.warcinfo, .request, .response])
        #expect(records[1].offset == receipts[0].offset && records[1].length == receipts[0].length)
        #expect(records[2].offset == receipts[1].offset && records[2].length == receipts[1].length)
        #expect(records[0].record.headers[WARCField.filename] == (path as NSString).lastPathComponent)
        #expect(records[2].record.headers[WARCField.warcinfoID] == records[0].record.recordID)
        #expect(records[2].record == receipts[1].record)

        let bytes = readBytes(path)
        for stored in records {
            let member = Array(bytes[Int(stored.offset)..<Int(stored.offset + stored.length)])
            #expect(member.prefix(3) == [0x1F, 0x8B, 0x08])
            let alone = directory.file("member.warc.gz")
            writeBytes(member, to: alone)
            let single = try WARCFileReader.readAll(path: alone)
            #expect(single.records.count == 1 && single.damage.isEmpty)
            #expect(single.records.first?.record == stored.record)
        }
    }

    @Test func rotatesPastTheSizeLimitAndStartsEachFileWithWarcinfo() async throws {
        let directory = TemporaryDirectory()
        let writer = try WARCWriter(configuration: WARCWriterConfiguration(directory: directory.path, writerID: "rot", rotationBytes: 4096, fsync: .never))
        for _ in 0..<40 {
            try await writer.write(SampleRecords.response(body: SampleRecords.snapshot(words: 200, seed: Int.random(in: 0..<1000))))
        }
        let files = try await writer.close()
        #expect(files.count > 2)
        var total = 0
        for file in files {
            let (records, damage) = try WARCFileReader.readAll(path: file)
            #expect(damage.isEmpty)
            #expect(records.first?.record.type == .warcinfo)
            total += records.count - 1
            let size = try #require(try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int)
            let lastRecordLength = Int(records.last!.length)
            #expect(size - lastRecordLength < 4096)
        }
        #expect(total == 40)
        #expect(Set(files).count == files.count)
    }

    @Test(arguments: [WARCWriterConfiguration.FsyncPolicy.everyRecord, .interval(.milliseconds(1)), .never])
    func everyFsyncPolicyWritesReadableFiles(policy: WARCWriterConfiguration.FsyncPolicy) async throws {
        let directory = TemporaryDirectory()
        let writer = try WARCWriter(configuration: WARCWriterConfiguration(directory: directory.path, writerID: "sync", fsync: policy))
        for _ in 0..<5 { try await writer.write(SampleRecords.response()) }
        try await writer.sync()
        let open = try #require(directory.files(withSuffix: ".open").first)
        #expect(try WARCFileReader.readAll(path: open).records.count == 6)
        let closed = try await writer.close()
        #expect(try WARCFileReader.readAll(path: closed[0]).records.count == 6)
    }

    @Test func concurrentWritersNeverInterleaveRecords() async throws {
        let directory = TemporaryDirectory()
        let writer = try WARCWriter(configuration: WARCWriterConfiguration(directory: directory.path, writerID: "many", fsync: .never))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<16 {
                group.addTask {
                    for index in 0..<25 {
                        let body = #"{"task":\#(task),"index":\#(index)}"#
                        try await writer.write(SampleRecords.response(body: body))
                    }
                }
            }
            try await group.waitForAll()
        }
        let path = try await writer.close()[0]
        let (records, damage) = try WARCFileReader.readAll(path: path)
        #expect(damage.isEmpty)
        let bodies = Set(records.dropFirst().compactMap { $0.record.httpPayload.map { String(decoding: $0, as: UTF8.self) } })
        #expect(bodies.count == 16 * 25)
    }

    @Test func aClosedWriterRefusesRecords() async throws {
        let directory = TemporaryDirectory()
        let writer = try WARCWriter(configuration: WARCWriterConfiguration(directory: directory.path, writerID: "c"))
        #expect(try await writer.close().isEmpty)
        await #expect(throws: WARCWriterError.self) { try await writer.write(SampleRecords.request()) }
    }

    @Test func aFolderThatCannotBeCreatedIsAnErrorNamingIt() async throws {
        let directory = TemporaryDirectory()
        writeBytes([1], to: directory.file("blocker"))
        let writer = try WARCWriter(configuration: WARCWriterConfiguration(directory: directory.file("blocker/sub"), writerID: "e"))
        do {
            try await writer.write(SampleRecords.request())
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("blocker/sub"))
        }
    }
}
