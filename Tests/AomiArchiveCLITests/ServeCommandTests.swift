import AsyncHTTPClient
import Foundation
import TestSupport
import Testing

/// `aomi-archive serve` as a user starts it: it listens at once, serves pages while its first
/// index run goes on in the background, and stops on SIGTERM.
@Suite struct ServeCommandTests {
    @Test(.timeLimit(.minutes(10)))
    func serveListensServesAndStops() async throws {
        let root = TemporaryDirectory.path("aomi-serve")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let serve = try BackgroundCommand(["serve", "--archives", root, "--listen", "127.0.0.1:0", "--refresh", "1s"])
        let url = try await serve.waitForURL()
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url + "/?format=json"), timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 20)
        #expect(response.status == .ok)
        let page = try #require(try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])
        #expect((page["wallets"] as? [Any])?.isEmpty == true)
        #expect(response.headers["Content-Security-Policy"].first?.contains("default-src 'none'") == true)
        serve.signal(SIGTERM)
        #expect(await serve.wait() == 0)
        #expect(FileManager.default.fileExists(atPath: root + "/index.sqlite"), "the index file is made")
    }
}
