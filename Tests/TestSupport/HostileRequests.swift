/// Requests no well-behaved client sends, for the servers' hostile-HTTP tests: garbage,
/// smuggling attempts (both lengths, two lengths, a chunked body hiding a second request),
/// huge heads and targets, broken chunking, bad lengths. A server must refuse each with a 4xx
/// (or close the connection) and go on serving; nothing hidden in one may reach the upstream
/// or the archive as a request of its own. Every case asks the server to close afterwards, so
/// reading until the close ends.
public enum HostileRequests {
    public struct Case: Sendable, CustomStringConvertible {
        public let name: String
        public let bytes: [UInt8]
        /// Whether the request must be refused (4xx or a closed connection), not answered.
        public let mustBeRefused: Bool
        public var description: String { name }
    }

    /// The path smuggled requests ask for: it must never show up upstream or in an archive.
    public static let smuggledPath = "/api/smuggled-request"

    public static let cases: [Case] = [
        Case(name: "binary garbage", bytes: [0x00, 0x01, 0x02, 0xFF, 0xFE] + Array(" not http at all\r\n\r\n".utf8), mustBeRefused: true),
        Case(name: "a request line only, no version", bytes: Array("GET /api/health\r\n\r\n".utf8), mustBeRefused: true),
        Case(
            name: "Content-Length and Transfer-Encoding together",
            bytes: text(
                """
                POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n\
                GET \(smuggledPath) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n
                """), mustBeRefused: true),
        Case(
            name: "two different Content-Lengths",
            bytes: text(
                """
                POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 4\r\nContent-Length: 40\r\n\r\nabcdGET \(smuggledPath) HTTP/1.1\r\n\r\n
                """), mustBeRefused: true),
        Case(name: "a negative Content-Length", bytes: text("POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: -1\r\n\r\n"), mustBeRefused: true),
        Case(
            name: "a Content-Length past 2^64", bytes: text("POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 99999999999999999999999\r\n\r\n"),
            mustBeRefused: true),
        Case(
            name: "chunk sizes that are not hex",
            bytes: text("POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n"), mustBeRefused: true),
        Case(
            name: "a chunk size past 2^64",
            bytes: text("POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\nabc\r\n"), mustBeRefused: true
        ),
        Case(name: "a header line without a colon", bytes: text("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nno colon here\r\n\r\n"), mustBeRefused: true),
        Case(name: "a space before the colon", bytes: text("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Session-Id : s\r\n\r\n"), mustBeRefused: true),
        Case(
            name: "a 200 KB header", bytes: text("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Huge: \(String(repeating: "h", count: 200_000))\r\n\r\n"),
            mustBeRefused: true),
        Case(
            name: "a 1 MB target", bytes: text("GET /api/health?q=\(String(repeating: "q", count: 1_000_000)) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
            mustBeRefused: true),
        Case(
            name: "10,000 header fields",
            bytes: text("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + String(repeating: "X-A: b\r\n", count: 10_000) + "\r\n"),
            mustBeRefused: true),
        Case(name: "HTTP/2 preface on an HTTP/1 port", bytes: text("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), mustBeRefused: true),
        Case(name: "an unknown HTTP version", bytes: text("GET /api/health HTTP/7.3\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), mustBeRefused: true),
        Case(name: "a control character in the target", bytes: text("GET /api/he\u{7}alth HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), mustBeRefused: true),
    ]

    private static func text(_ string: String) -> [UInt8] { Array(string.utf8) }

    /// Whether a raw answer refuses: a 4xx status line, or nothing (the connection closed).
    public static func isRefusal(_ answer: String) -> Bool {
        answer.isEmpty || answer.hasPrefix("HTTP/1.1 4") || answer.hasPrefix("HTTP/1.0 4")
    }
}
