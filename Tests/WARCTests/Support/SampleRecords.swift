import TestSupport
import WARC

/// Records shaped like a recorder's: HTTP requests and responses, a revisit, an SSE stream.
enum SampleRecords {
    static let uri = "http://127.0.0.1:8080/api/state"

    static func request(uri: String = uri, id: String = WARCRecordID.make()) -> WARCRecord {
        let http = "GET /api/state HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nX-Session-Id: 5b0c7a6e-0000-4000-8000-000000000001\r\n\r\n"
        return WARCRecord(
            type: .request,
            headers: [
                (WARCField.recordID, id),
                (WARCField.targetURI, uri),
                (WARCField.contentType, WARCValue.httpRequestContentType),
                ("Aomi-Session-Id", "5b0c7a6e-0000-4000-8000-000000000001"),
            ], block: Array(http.utf8))
    }

    static func response(uri: String = uri, body: String = snapshot(words: 40), concurrentTo: String? = nil) -> WARCRecord {
        let http = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
        var fields: [(String, String)] = [
            (WARCField.targetURI, uri),
            (WARCField.contentType, WARCValue.httpResponseContentType),
            ("Aomi-Session-Id", "5b0c7a6e-0000-4000-8000-000000000001"),
        ]
        if let concurrentTo { fields.append((WARCField.concurrentTo, concurrentTo)) }
        return WARCRecord(type: .response, headers: fields, block: Array(http.utf8))
    }

    static func snapshot(words: Int, seed: Int = 1) -> String {
        let vocabulary = ["swap", "ETH", "price", "wallet", "portfolio", "gas", "the", "agent", "is", "checking", "USDC", "bridge"]
        let text = (0..<words).map { vocabulary[($0 * 7 + seed) % vocabulary.count] }.joined(separator: " ")
        return #"{"messages":[{"sender":"user","content":"\#(text)","is_streaming":false}],"system_events":[],"title":"Chat","is_processing":false,"user_state":null}"#
    }

    /// A file with `count` request/response pairs written by the real writer; returns its path.
    static func writeFile(in directory: TemporaryDirectory, pairs count: Int, name: String = "sample") async throws -> String {
        let writer = try WARCWriter(configuration: WARCWriterConfiguration(directory: directory.path, writerID: name))
        for _ in 0..<count {
            let request = request()
            try await writer.write([request, response(concurrentTo: request.recordID)])
        }
        return try await writer.close()[0]
    }
}
