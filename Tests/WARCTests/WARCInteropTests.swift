import Foundation
import TestSupport
import Testing

@testable import WARC

/// Our files against the reference reader (PyPI warcio), and warcio's files against our reader.
@Suite struct WARCInteropTests {
    /// One record of every type, including a revisit and a segmented SSE response.
    private func everyRecordType(_ directory: TemporaryDirectory) async throws -> String {
        let writer = try WARCWriter(configuration: WARCWriterConfiguration(directory: directory.path, writerID: "interop"))
        let request = SampleRecords.request()
        try await writer.write(request)
        let response = try await writer.write(SampleRecords.response(concurrentTo: request.recordID)).record
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n"
        try await writer.write(
            WARCRecord(
                type: .revisit,
                headers: [
                    (WARCField.targetURI, SampleRecords.uri),
                    (WARCField.contentType, WARCValue.httpResponseContentType),
                    (WARCField.profile, WARCValue.identicalPayloadDigestProfile),
                    (WARCField.refersTo, response.recordID!),
                    (WARCField.refersToTargetURI, SampleRecords.uri),
                    (WARCField.refersToDate, response.date!),
                    (WARCField.payloadDigest, response.headers[WARCField.payloadDigest]!),
                ], block: Array(head.utf8)))
        let updates = "http://127.0.0.1:8080/api/updates"
        let origin = try await writer.write(
            WARCRecord(
                type: .response,
                headers: [
                    (WARCField.targetURI, updates),
                    (WARCField.contentType, WARCValue.httpResponseContentType),
                    (WARCField.segmentNumber, "1"),
                ], block: Array("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n".utf8))
        ).record
        var total = origin.block.count
        for (index, event) in ["data: {\"type\":\"tool_update\"}\n\n", ": ping\n\n", "data: {\"type\":\"title_changed\"}\n\n"].enumerated() {
            let last = index == 2
            total += event.utf8.count
            var fields: [(String, String)] = [
                (WARCField.targetURI, updates),
                (WARCField.segmentOriginID, origin.recordID!),
                (WARCField.segmentNumber, String(index + 2)),
            ]
            if last { fields += [(WARCField.segmentTotalLength, String(total)), ("Aomi-Stream-End", "upstream-closed")] }
            try await writer.write(WARCRecord(type: .continuation, headers: fields, block: Array(event.utf8)))
        }
        try await writer.write(
            WARCRecord(
                type: .metadata,
                headers: [
                    (WARCField.targetURI, SampleRecords.uri), (WARCField.contentType, WARCValue.warcFieldsContentType),
                    (WARCField.concurrentTo, response.recordID!),
                ], block: Array("note: dedup\r\n".utf8)))
        try await writer.write(
            WARCRecord(
                type: .resource,
                headers: [
                    (WARCField.targetURI, "urn:aomi:config"), (WARCField.contentType, "application/json"),
                ], block: Array("{\"a\":1}".utf8)))
        try await writer.write(
            WARCRecord(
                type: .conversion,
                headers: [
                    (WARCField.targetURI, "urn:aomi:config"), (WARCField.contentType, "text/plain"),
                ], block: Array("a=1".utf8)))
        return try await writer.close()[0]
    }

    @Test func warcioCheckAcceptsEveryRecordTypeWeWrite() async throws {
        let directory = TemporaryDirectory()
        let path = try await everyRecordType(directory)
        let check = try await Warcio.run(["check", "-v", path])
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("digest pass"))
        #expect(!check.output.contains("digest failed"))
        #expect(!check.output.lowercased().contains("error"))
    }

    @Test func warcioIndexListsEveryRecordAtOurOffsets() async throws {
        let directory = TemporaryDirectory()
        let path = try await everyRecordType(directory)
        let index = try await Warcio.run(["index", "-f", "warc-type,offset,length", path])
        #expect(index.status == 0, "\(index.output)")
        let lines = index.output.split(separator: "\n").map(String.init)
        let ours = try WARCFileReader.readAll(path: path).records
        #expect(lines.count == ours.count)
        for (line, record) in zip(lines, ours) {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            #expect(object["warc-type"] as? String == record.record.type.rawValue)
            #expect(object["offset"] as? String == String(record.offset))
            #expect(object["length"] as? String == String(record.length))
        }
        #expect(
            ours.map(\.record.type.rawValue) == [
                "warcinfo", "request", "response", "revisit", "response", "continuation",
                "continuation", "continuation", "metadata", "resource", "conversion",
            ])
    }

    @Test func ourReaderReadsWhatWarcioWrites() async throws {
        let directory = TemporaryDirectory()
        let path = directory.file("warcio.warc.gz")
        let script = """
            import sys
            from io import BytesIO
            from warcio.warcwriter import WARCWriter
            from warcio.statusandheaders import StatusAndHeaders
            with open(sys.argv[1], 'wb') as out:
                w = WARCWriter(out, gzip=True)
                w.write_record(w.create_warcinfo_record('x.warc.gz', {'software': 'warcio'}))
                body = b'{"messages":[],"is_processing":false}'
                for i in range(3):
                    h = StatusAndHeaders('200 OK', [('Content-Type', 'application/json')], protocol='HTTP/1.1')
                    w.write_record(w.create_warc_record('http://example.test/api/state?i=%d' % i, 'response', payload=BytesIO(body), http_headers=h))
                req = StatusAndHeaders('GET /api/state HTTP/1.1', [('X-Session-Id', 'abc')], is_http_request=True)
                w.write_record(w.create_warc_record('http://example.test/api/state', 'request', payload=BytesIO(b''), http_headers=req))
            """
        let result = try await Warcio.runPython(["-c", script, path])
        #expect(result.status == 0, "\(result.output)")
        let (records, damage) = try WARCFileReader.readAll(path: path)
        #expect(damage.isEmpty)
        #expect(records.map(\.record.type) == [.warcinfo, .response, .response, .response, .request])
        for stored in records {
            #expect(stored.record.headers[WARCField.blockDigest] == WARCDigest.sha1(stored.record.block))
        }
        let response = records[1].record
        #expect(String(decoding: response.httpPayload ?? [], as: UTF8.self) == #"{"messages":[],"is_processing":false}"#)
        #expect(response.headers[WARCField.payloadDigest] == WARCDigest.sha1(Array(response.httpPayload!)))
        let index = try await Warcio.run(["index", "-f", "offset", path])
        let offsets = index.output.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["offset"] as? String
        }
        #expect(offsets == records.map { String($0.offset) })
    }
}
