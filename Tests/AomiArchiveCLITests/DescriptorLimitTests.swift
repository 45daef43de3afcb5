import Foundation
import TestSupport
import Testing

/// `record` under a low open-file limit (`prlimit --nofile=128`, which it cannot raise): once
/// open streams have taken every descriptor, a new request gets a 503 that says so at once
/// (not a hang), `/_recorder/health` still answers and says `failing`, and requests succeed
/// again once descriptors are free.
@Suite struct DescriptorLimitTests {
    /// A connection held open by the test, with the status line it got.
    final class HeldConnection: Sendable {
        let descriptor: Int32

        init(port: Int) throws {
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
            // A hang is a failure of the test, not a wait without end.
            var limit = timeval(tv_sec: 60, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit { close(descriptor) }

        /// Sends `request` and returns what the server sent first (the head, often with a body).
        func exchange(_ request: String) -> String {
            _ = Array(request.utf8).withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            var buffer = [UInt8](repeating: 0, count: 8192)
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : ""
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func runningOutOfDescriptorsIsA503AndHealthStillAnswers() async throws {
        let root = TemporaryDirectory.path("aomi-nofile")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sim = try BackgroundCommand(["sim", "--listen", "127.0.0.1:0"])
        defer { sim.signal(SIGTERM) }
        let recorder = try BackgroundCommand(
            ["record", "--upstream", try await sim.waitForURL(), "--listen", "127.0.0.1:0", "--archives", root],
            launcher: ["/usr/bin/prlimit", "--nofile=128:128"])
        defer { recorder.signal(SIGTERM) }
        let url = try await recorder.waitForURL()
        let port = try #require(Int(url.split(separator: ":").last ?? ""))

        var answers = try await Task.detached { () throws -> (held: [HeldConnection], refused: String?) in
            var held: [HeldConnection] = []
            for number in 0..<200 {
                let connection = try HeldConnection(port: port)
                let head = connection.exchange("GET /api/updates HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Session-Id: s\(number)\r\nAccept: text/event-stream\r\n\r\n")
                if !head.hasPrefix("HTTP/1.1 200") { return (held, head) }
                held.append(connection)
            }
            return (held, nil)
        }.value
        let refused = try #require(answers.refused, "200 streams fit in 128 descriptors?")
        #expect(answers.held.count > 20 && answers.held.count < 64, "each stream holds two descriptors: \(answers.held.count)")
        #expect(refused.hasPrefix("HTTP/1.1 503") && refused.contains("run out of file descriptors"), "\(refused.prefix(300))")

        let health = try await Task.detached {
            try HeldConnection(port: port).exchange("GET /_recorder/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        }.value
        #expect(health.hasPrefix("HTTP/1.1 503") && health.contains("\"status\":\"failing\"") && health.contains("out of file descriptors"), "\(health.prefix(400))")

        // Descriptors back: requests are forwarded and recorded again.
        answers.held.removeAll()
        var after = ""
        for _ in 0..<30 {
            after = try await Task.detached {
                try HeldConnection(port: port).exchange("GET /api/control/models HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Session-Id: after\r\nConnection: close\r\n\r\n")
            }.value
            if after.hasPrefix("HTTP/1.1 200") { break }
        }
        #expect(after.hasPrefix("HTTP/1.1 200"), "\(after.prefix(300))")
        recorder.signal(SIGTERM)
        #expect(await recorder.wait() == 0)
        #expect(recorder.standardError.contains("open-file limit: soft 128 → 128, hard 128") || recorder.standardOutput.contains("open-file limit"))
    }
}
