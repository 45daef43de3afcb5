import Foundation
import TestSupport
import Testing

/// `serve` and `replay` answer only `Host`s that name them: a DNS-rebinding page (its own name
/// made to resolve to 127.0.0.1) gets 403, addresses and localhost are answered, and
/// `--allow-host NAME` adds a name.
@Suite struct HostCheckTests {
    private func status(port: Int, path: String, host: String) async throws -> (status: String, text: String) {
        let answer = try await RawSocket.exchange(port: port, bytes: Array("GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n".utf8))
        return (String(answer.split(separator: "\r\n").first ?? ""), answer)
    }

    private func checkHosts(_ url: String, path: String) async throws {
        let port = try #require(Int(url.split(separator: ":").last ?? ""))
        let refused = ["evil.example:\(port)", "evil.example", "127.0.0.1.evil.example:\(port)", "localhost.evil.example", "256.0.0.1:\(port)", "1.2.3.4.5", "1.2.3:\(port)"]
        for host in refused {
            let (line, text) = try await status(port: port, path: path, host: host)
            #expect(line.contains(" 403 "), "\(host): \(line)")
            #expect(text.contains("--allow-host"), "\(host): says how to allow it")
            #expect(!text.contains("0x"), "\(host): no chat leaks")
        }
        for host in ["127.0.0.1:\(port)", "127.0.0.1", "10.0.0.255", "localhost:\(port)", "[::1]:\(port)", "archive.internal:\(port)"] {
            let (line, _) = try await status(port: port, path: path, host: host)
            #expect(line.contains(" 200 "), "\(host): \(line)")
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func serveAndReplayRefuseAHostThatDoesNotNameThem() async throws {
        let fixture = try await RecordingFixture.start(recorderID: "hosts")
        defer { fixture.remove() }
        let report = try await fixture.drive(wallets: 1, threads: 1, messages: 1)
        try await fixture.stop()
        let wallet = try #require(report.threads.first?.wallet)

        let serve = try BackgroundCommand(["serve", "--archives", fixture.root, "--listen", "127.0.0.1:0", "--allow-host", "archive.internal"])
        defer { serve.signal(SIGTERM) }
        try await checkHosts(try await serve.waitForURL(), path: "/wallets/\(wallet)?format=json")

        let replay = try BackgroundCommand(["replay", "--archives", fixture.root, "--listen", "127.0.0.1:0", "--allow-host", "ARCHIVE.internal"])
        defer { replay.signal(SIGTERM) }
        try await checkHosts(try await replay.waitForURL(), path: "/_replay/status")
        serve.signal(SIGTERM)
        replay.signal(SIGTERM)
        #expect(await serve.wait() == 0)
        #expect(await replay.wait() == 0)
        #expect(serve.standardError.contains("403") || serve.standardOutput.contains("403"), "refusals are logged")
    }
}
