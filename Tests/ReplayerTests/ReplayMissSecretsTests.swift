import AomiAPI
import Foundation
import Replayer
import Testing

/// A miss explains itself without repeating a secret the client sent.
@Suite("Secrets in misses")
struct ReplayMissSecretsTests {
    @Test("a missed request's secrets appear as tokens in the 404 body and in the log line, never in clear")
    func missesShowTokens() async throws {
        let recording = try await RecordedReplay.record(wallets: 1, threads: 1, messages: 1)
        defer { recording.remove() }
        let tokens = SecretTokens.load(root: recording.root)
        let engine = ReplayEngine(archive: recording.archive, tokens: tokens)
        let bodySecret = "sk-miss-" + UUID().uuidString
        let querySecret = "qs-miss-" + UUID().uuidString
        let requests = [
            ReplayRequest(
                method: "POST", target: "/api/secrets", fields: [.init(name: "Content-Type", value: "application/json")],
                body: Array(#"{"client_id":"new","secrets":{"API_KEY":"\#(bodySecret)","OTHER":"\#(bodySecret)"}}"#.utf8)),
            ReplayRequest(method: "GET", target: "/api/state?api_key=\(querySecret)&x=1", fields: [.init(name: "X-Session-Id", value: UUID().uuidString)]),
        ]
        for request in requests {
            let outcome = engine.respond(to: request)
            #expect(outcome.kind == .miss)
            let shown = String(decoding: outcome.answer.body, as: UTF8.self) + (outcome.explanation ?? "")
            #expect(!shown.contains(bodySecret) && !shown.contains(querySecret), "\(shown)")
            let token = try #require(tokens.token(for: request.method == "POST" ? bodySecret : querySecret))
            #expect(shown.contains(token), "the miss shows the token that stands for the secret")
        }
    }
}
