import Foundation
import TestSupport
import Testing

@testable import WARC

/// Each kind of damage, built into a real file, and what the reader makes of it.
@Suite struct WARCReaderDamageTests {
    /// A file of warcinfo + `pairs` request/response pairs, with the byte ranges of its members.
    private func sample(_ directory: TemporaryDirectory, pairs: Int = 3) async throws -> (bytes: [UInt8], members: [Range<Int>]) {
        let path = try await SampleRecords.writeFile(in: directory, pairs: pairs)
        let (records, _) = try WARCFileReader.readAll(path: path)
        return (readBytes(path), records.map { Int($0.offset)..<Int($0.offset + $0.length) })
    }

    private func read(_ bytes: [UInt8], _ directory: TemporaryDirectory, name: String = "damaged.warc.gz") throws -> (records: [WARCStoredRecord], damage: [WARCDamage]) {
        let path = directory.file(name)
        writeBytes(bytes, to: path)
        return try WARCFileReader.readAll(path: path)
    }

    /// A record claiming `Content-Length: Int64.max` stopped every reader with an arithmetic
    /// overflow (`headerLength + contentLength`), gzipped or plain.
    @Test(arguments: ["absurd.warc.gz", "absurd.warc"])
    func anAbsurdContentLengthIsDamageNotACrash(_ name: String) async throws {
        let directory = TemporaryDirectory()
        let (good, members) = try await sample(directory, pairs: 1)
        let head =
            "WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n"
            + "WARC-Date: 2026-01-01T00:00:00Z\r\nContent-Length: 9223372036854775807\r\n\r\nabc\r\n\r\n"
        let absurd = name.hasSuffix(".gz") ? try GzipMemberDeflater(level: 6).compress(Array(head.utf8)) : Array(head.utf8)
        var bytes = absurd
        if name.hasSuffix(".gz") { bytes += good }
        let (records, damage) = try read(bytes, directory, name: name)
        #expect(damage.count == 1)
        #expect(damage.first?.offset == 0 && damage.first?.description.contains("Content-Length") == true, "\(damage)")
        if name.hasSuffix(".gz") { #expect(records.count == members.count, "the records after it are read") }
    }

    @Test func truncatedLastMemberKeepsEveryEarlierRecord() async throws {
        let directory = TemporaryDirectory()
        let (bytes, members) = try await sample(directory)
        let last = members.last!
        let (records, damage) = try read(Array(bytes[..<(last.lowerBound + last.count / 2)]), directory)
        #expect(records.count == members.count - 1)
        #expect(damage.count == 1)
        #expect(damage.first?.kind == .truncatedMember)
        #expect(damage.first?.offset == Int64(last.lowerBound))
        #expect(damage.first?.file.hasSuffix("damaged.warc.gz") == true)
    }

    @Test func corruptMemberInTheMiddleIsSkippedAndReadingResumes() async throws {
        let directory = TemporaryDirectory()
        var (bytes, members) = try await sample(directory)
        let victim = members[2]
        for index in (victim.lowerBound + 12)..<(victim.upperBound - 10) { bytes[index] ^= 0x5A }
        let (records, damage) = try read(bytes, directory)
        #expect(records.count == members.count - 1)
        #expect(records.map(\.offset).contains(Int64(members[3].lowerBound)))
        #expect(!records.map(\.offset).contains(Int64(victim.lowerBound)))
        #expect(damage.count == 1)
        #expect(damage.first?.kind == .corruptMember)
        #expect(damage.first?.offset == Int64(victim.lowerBound))
        #expect(damage.first?.length == Int64(victim.count))
    }

    @Test func aBadChecksumIsCorruption() async throws {
        let directory = TemporaryDirectory()
        var (bytes, members) = try await sample(directory)
        bytes[members[1].upperBound - 6] ^= 0xFF
        let (records, damage) = try read(bytes, directory)
        #expect(records.count == members.count - 1)
        #expect(damage.map(\.kind) == [.corruptMember])
        #expect(damage.first?.offset == Int64(members[1].lowerBound))
    }

    @Test func garbageBetweenMembersIsReportedWithItsLength() async throws {
        let directory = TemporaryDirectory()
        let (bytes, members) = try await sample(directory)
        let garbage = Array("this is not gzip \u{1F}\u{8B} nor a record".utf8) + [0x1F, 0x8B, 0x08, 0x00, 0x01]
        let cut = members[2].lowerBound
        let damaged = Array(bytes[..<cut]) + garbage + Array(bytes[cut...])
        let (records, damage) = try read(damaged, directory)
        #expect(records.count == members.count)
        #expect(records[2].offset == Int64(cut + garbage.count))
        #expect(damage.count == 1)
        #expect(damage.first?.kind == .garbage)
        #expect(damage.first?.offset == Int64(cut))
        #expect(damage.first?.length == Int64(garbage.count))
    }

    @Test func garbageBeforeTheFirstMemberIsSkipped() async throws {
        let directory = TemporaryDirectory()
        let (bytes, members) = try await sample(directory)
        let (records, damage) = try read(Array(repeating: 0x41, count: 100) + bytes, directory)
        #expect(records.count == members.count)
        #expect(damage.map(\.kind) == [.garbage])
        #expect(damage.first?.offset == 0 && damage.first?.length == 100)
    }

    @Test func anEmptyFileIsReportedAsEmpty() throws {
        let directory = TemporaryDirectory()
        let (records, damage) = try read([], directory)
        #expect(records.isEmpty)
        #expect(damage.map(\.kind) == [.emptyFile])
    }

    @Test func aFileThatIsNeitherGzipNorWARCIsReported() throws {
        let directory = TemporaryDirectory()
        let text = Array(String(repeating: "<html>hello</html>\n", count: 500).utf8)
        let (records, damage) = try read(text, directory)
        #expect(records.isEmpty)
        #expect(damage.count == 1)
        #expect(damage.first?.kind == .notWARC)
        #expect(damage.first?.length == Int64(text.count))
    }

    @Test func aHeaderLineOfMegabytesIsDamageNotAHang() async throws {
        let directory = TemporaryDirectory()
        let (bytes, members) = try await sample(directory, pairs: 1)
        var huge = WARCRecord(type: .metadata, headers: [("X-Huge", String(repeating: "a", count: 3 << 20))])
        huge.block = Array("ok".utf8)
        let hugeMember = try GzipMemberDeflater(level: 6).compress(huge.serialized())
        let damaged = Array(bytes[..<members[1].lowerBound]) + hugeMember + Array(bytes[members[1].lowerBound...])
        let (records, damage) = try read(damaged, directory)
        #expect(records.count == members.count)
        #expect(damage.map(\.kind) == [.headerTooLong])
        #expect(damage.first?.offset == Int64(members[1].lowerBound))
        #expect(damage.first?.length == Int64(hugeMember.count))
    }

    @Test func aHeaderLineOfMegabytesWithoutEndInAPlainFileIsDamage() throws {
        let directory = TemporaryDirectory()
        let good = WARCRecord(type: .resource, headers: [(WARCField.targetURI, "urn:a")], block: Array("x".utf8)).completed().serialized()
        let bad = Array("WARC/1.1\r\nX-Huge: ".utf8) + Array(repeating: 0x62, count: 2 << 20) + Array("\r\n".utf8)
        let (records, damage) = try read(good + bad + good, directory, name: "plain.warc")
        #expect(records.count == 2)
        #expect(damage.map(\.kind) == [.headerTooLong])
        #expect(damage.first?.offset == Int64(good.count))
    }

    @Test func aMemberThatIsNotAWARCRecordIsReported() async throws {
        let directory = TemporaryDirectory()
        let (bytes, members) = try await sample(directory, pairs: 1)
        let foreign = try GzipMemberDeflater(level: 6).compress(Array("just some text\r\n\r\n".utf8))
        let damaged = Array(bytes[..<members[1].lowerBound]) + foreign + Array(bytes[members[1].lowerBound...])
        let (records, damage) = try read(damaged, directory)
        #expect(records.count == members.count)
        #expect(damage.map(\.kind) == [.malformedHeader])
    }

    @Test func aRecordLongerThanItsMemberIsTruncatedRecord() async throws {
        let directory = TemporaryDirectory()
        var record = WARCRecord(type: .resource, headers: [(WARCField.contentLength, "5000")], block: Array("short".utf8))
        record.block = Array("short".utf8)
        var text = record.serialized()
        text = Array(String(decoding: text, as: UTF8.self).replacingOccurrences(of: "Content-Length: 5", with: "Content-Length: 5000").utf8)
        let member = try GzipMemberDeflater(level: 6).compress(text)
        let (records, damage) = try read(member, directory)
        #expect(records.isEmpty)
        #expect(damage.map(\.kind) == [.truncatedRecord])
    }

    @Test func plainWARCFilesAreRead() async throws {
        let directory = TemporaryDirectory()
        let records = [SampleRecords.request(), SampleRecords.response()].map { $0.completed() }
        let bytes = records.flatMap { $0.serialized() }
        let (read, damage) = try read(bytes, directory, name: "plain.warc")
        #expect(damage.isEmpty)
        #expect(read.map(\.record) == records)
        #expect(read[1].offset == Int64(records[0].serialized().count))
        let (cut, cutDamage) = try self.read(Array(bytes.dropLast(30)), directory, name: "cut.warc")
        #expect(cut.count == 1)
        #expect(cutDamage.map(\.kind) == [.truncatedRecord])
    }

    @Test func readingCanStartAtARecordBoundary() async throws {
        let directory = TemporaryDirectory()
        let path = try await SampleRecords.writeFile(in: directory, pairs: 3)
        let all = try WARCFileReader.readAll(path: path).records
        let rest = try WARCFileReader.readAll(path: path, options: WARCReaderOptions(startOffset: all[3].offset)).records
        #expect(rest.map(\.offset) == all.dropFirst(3).map(\.offset))
    }

    /// Cuts a valid two-record file at every byte offset of its last record.
    @Test func cuttingTheLastRecordAnywhereKeepsTheFirst() async throws {
        let directory = TemporaryDirectory()
        let writer = try WARCWriter(configuration: WARCWriterConfiguration(directory: directory.path, writerID: "cut"))
        try await writer.write(SampleRecords.request())
        let path = try await writer.close()[0]
        let bytes = readBytes(path)
        let (records, _) = try WARCFileReader.readAll(path: path)
        #expect(records.count == 2)
        let first = records[0]
        let lastStart = Int(records[1].offset)
        let cutPath = directory.file("cut.warc.gz")
        for cut in lastStart..<bytes.count {
            writeBytes(Array(bytes[..<cut]), to: cutPath)
            let (kept, damage) = try WARCFileReader.readAll(path: cutPath)
            #expect(kept.count == 1, "cut at \(cut)")
            #expect(kept.first?.record == first.record, "cut at \(cut)")
            if cut > lastStart {
                #expect(damage.count == 1, "cut at \(cut)")
                #expect(damage.first?.offset == Int64(lastStart), "cut at \(cut)")
            } else {
                #expect(damage.isEmpty)
            }
        }
    }
}

@Suite struct WARCReaderLargeRecordTests {
    /// A member larger than the reader's window goes through the streaming inflater.
    @Test func aRecordLargerThanTheWindowIsReadWhole() async throws {
        let directory = TemporaryDirectory()
        var generator = SystemRandomNumberGenerator()
        let block = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let writer = try WARCWriter(configuration: WARCWriterConfiguration(directory: directory.path, writerID: "big"))
        try await writer.write(WARCRecord(type: .resource, headers: [(WARCField.targetURI, "urn:big")], block: block))
        try await writer.write(SampleRecords.request())
        let path = try await writer.close()[0]
        let (records, damage) = try WARCFileReader.readAll(path: path, options: WARCReaderOptions(windowBytes: 64 * 1024))
        #expect(damage.isEmpty)
        #expect(records.map(\.record.type) == [.warcinfo, .resource, .request])
        #expect(records[1].record.block == block)
        let limited = try WARCFileReader.readAll(path: path, options: WARCReaderOptions(maxRecordBytes: 100_000, windowBytes: 64 * 1024))
        #expect(limited.records.map(\.record.type) == [.warcinfo, .request])
        #expect(limited.damage.map(\.kind) == [.recordTooLarge])
    }
}
