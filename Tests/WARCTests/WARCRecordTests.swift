import Foundation
import Testing

@testable import WARC

@Suite struct WARCRecordTests {
    @Test func dateIsWrittenWithMicrosecondsAndParsedBack() {
        let date = WARCDate(microsecondsSince1970: 1_795_732_752_123_456)
        #expect(date.description == "2026-11-26T22:39:12.123456Z")
        #expect(date.compactString == "20261126T223912Z")
        #expect(WARCDate(parsing: "2026-11-26T22:39:12.123456Z") == date)
        #expect(WARCDate(parsing: "2026-11-26T22:39:12Z")?.microsecondsSince1970 == 1_795_732_752_000_000)
        #expect(WARCDate(parsing: "2026-11-26T22:39:12.5Z")?.microsecondsSince1970 == 1_795_732_752_500_000)
        #expect(WARCDate(parsing: "1969-12-31T23:59:59.999999Z")?.microsecondsSince1970 == -1)
        #expect(WARCDate(microsecondsSince1970: -1).description == "1969-12-31T23:59:59.999999Z")
        #expect(WARCDate(parsing: "2026-13-01T00:00:00Z") == nil)
        #expect(WARCDate(parsing: "yesterday") == nil)
    }

    @Test func recordIDsAreBracketedUUIDURNs() {
        let id = WARCRecordID.make()
        #expect(id.hasPrefix("<urn:uuid:") && id.hasSuffix(">") && id.count == 47)
        #expect(WARCRecordID.make() != id)
        #expect(WARCRecordID.bare(id) == String(id.dropFirst().dropLast()))
    }

    @Test func recordIDsAreVersion8UUIDsUniqueInTheProcessAndSharingTheirStart() throws {
        let ids = (0..<20_000).map { _ in WARCRecordID.bare(WARCRecordID.make()) }
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(100) {
            let uuid = try #require(UUID(uuidString: String(id.dropFirst("urn:uuid:".count))), "\(id)")
            let bytes = withUnsafeBytes(of: uuid.uuid) { Array($0) }
            #expect(bytes[6] >> 4 == 8, "version 8")
            #expect(bytes[8] >> 6 == 0b10, "the RFC 4122 variant")
        }
        #expect(Set(ids.map { $0.prefix(28) }).count <= 2, "one process's ids differ in their last digits")
        #expect(WARCRecordID.format(prefix: 0xFFF_FFFF_FFFF_FFFF, count: 0x3FFF_FFFF_FFFF_FFFF) == "ffffffff-ffff-8fff-bfff-ffffffffffff")
        #expect(WARCRecordID.format(prefix: 0, count: 1) == "00000000-0000-8000-8000-000000000001")
    }

    @Test func digestsAreSHA1InBase32() {
        #expect(WARCDigest.sha1([]) == "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ")
        #expect(WARCDigest.sha1(Array("abc".utf8)) == "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5")
        #expect(Base32.encode(Array("f".utf8)) == "MY======")
        #expect(Base32.encode(Array("foobar".utf8)) == "MZXW6YTBOI======")
    }

    @Test func headersKeepOrderAndMatchNamesCaseInsensitively() {
        var headers = WARCHeaders([("WARC-Type", "response"), ("content-length", "3")])
        #expect(headers["Content-Length"] == "3")
        headers.set("CONTENT-LENGTH", "4")
        #expect(headers.fields.map(\.name) == ["WARC-Type", "content-length"])
        #expect(headers["content-length"] == "4")
        headers.append("X", "1")
        headers.append("x", "2")
        #expect(headers.values("X") == ["1", "2"])
        headers.set("X", "3")
        #expect(headers.values("x") == ["3"])
        headers["X"] = nil
        #expect(!headers.contains("x"))
    }

    @Test func serializationWritesVersionFieldsBlockAndEndMarker() {
        let record = WARCRecord(type: .resource, headers: [("WARC-Target-URI", "urn:x"), ("Content-Length", "999")], block: Array("hi".utf8))
        let text = String(decoding: record.serialized(), as: UTF8.self)
        #expect(text == "WARC/1.1\r\nWARC-Type: resource\r\nWARC-Target-URI: urn:x\r\nContent-Length: 2\r\n\r\nhi\r\n\r\n")
    }

    @Test func fieldValuesCannotInjectHeaderLines() {
        let record = WARCRecord(type: .metadata, headers: [("Aomi-Note", "a\r\nWARC-Type: response")])
        let text = String(decoding: record.serialized(), as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines.filter { $0.hasPrefix("WARC-Type:") } == ["WARC-Type: metadata"])
        #expect(lines.contains { $0.hasPrefix("Aomi-Note: a") && $0.hasSuffix("WARC-Type: response") })
    }

    @Test func completionAddsIDDateAndDigests() throws {
        let response = SampleRecords.response().completed(date: WARCDate(microsecondsSince1970: 0))
        #expect(response.headers.fields.map(\.name).prefix(3) == ["WARC-Type", "WARC-Record-ID", "WARC-Date"])
        #expect(response.date == "1970-01-01T00:00:00.000000Z")
        #expect(response.headers[WARCField.blockDigest] == WARCDigest.sha1(response.block))
        let payload = try #require(response.httpPayload)
        #expect(String(decoding: payload, as: UTF8.self).hasPrefix("{\"messages\""))
        #expect(response.headers[WARCField.payloadDigest] == WARCDigest.sha1(Array(payload)))

        let request = SampleRecords.request().completed()
        #expect(request.headers[WARCField.payloadDigest] == nil)
        var segment = SampleRecords.response()
        segment.headers.append(WARCField.segmentNumber, "1")
        #expect(segment.completed().headers[WARCField.payloadDigest] == nil)
    }
}
