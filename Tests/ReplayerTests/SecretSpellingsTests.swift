import AomiAPI
import AomiArchive
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Replayer
import TestSupport
import Testing
import WARC

/// Secrets spelled as a client or an attacker may spell them, sent through the real recorder:
/// no archive holds them, and the replay's 404 for them shows tokens only.
@Suite struct SecretSpellingsTests {
    @Test(.timeLimit(.minutes(10)))
    func everySpellingIsRedactedOnDiskAndHiddenInTheReplaysMiss() async throws {
        let fixture = try await RecordingFixture.start(recorderID: "spellings")
        defer { fixture.remove() }
        let session = UUID().uuidString.lowercased()
        var secrets: [String] = []
        func secret(_ label: String) -> String {
            let value = "sk-\(label)-" + UUID().uuidString
            secrets.append(value)
            return value
        }
        let requests: [(method: HTTPMethod, target: String, body: String?)] = [
            (.GET, "/api/state?API_KEY=\(secret("upper"))", nil),
            (.GET, "/api/state?api_key[]=\(secret("brackets"))", nil),
            (.GET, "/api/state?a=1;api_key=\(secret("semicolon"))", nil),
            (.GET, "/api/state?apiKey=\(secret("camel"))", nil),
            (.POST, "/api/x/../secrets", #"{"client_id":"c","secrets":{"K":"\#(secret("dotdot"))"}}"#),
            (.POST, "/api/./secrets", #"{"client_id":"c","secrets":{"K":"\#(secret("dot"))"}}"#),
            (.POST, "/API/Secrets", #"{"client_id":"c","secrets":{"K":"\#(secret("case"))"}}"#),
            (.POST, "/api/secrets;x", #"{"client_id":"c","secrets":{"K":"\#(secret("matrix"))"}}"#),
            (.POST, "/api/secrets", #"{"client_id":"c","secrets":{"K":{"deep":["\#(secret("nested"))"]}}}"#),
            (.POST, "/api/control/provider-keys", #"{"provider":"openai","apiKey":"\#(secret("provider"))"}"#),
        ]
        for request in requests {
            var sent = HTTPClientRequest(url: fixture.server.baseURL + request.target)
            sent.method = request.method
            sent.headers.add(name: AomiHeader.sessionID, value: session)
            if let body = request.body {
                sent.headers.add(name: "Content-Type", value: "application/json")
                sent.body = .bytes(ByteBuffer(string: body))
            }
            _ = try await fixture.client.execute(sent, timeout: .seconds(60)).body.collect(upTo: 1 << 20)
        }
        let files = try await fixture.stop()
        var stored = ""
        for file in files {
            stored += try WARCFileReader.readAll(path: file).records.map { "\($0.record.headers)" + String(decoding: $0.record.block, as: UTF8.self) }.joined()
        }
        #expect(stored.contains("redacted:"))
        for value in secrets { #expect(!stored.contains(value), "\(value) is in an archive") }

        // The same spellings with other values are misses; what the replay says shows no value.
        let archive = try RecordedArchive.load(files: try RecordedArchive.archiveFiles(under: fixture.root))
        let engine = ReplayEngine(archive: archive, tokens: SecretTokens.load(root: fixture.root))
        for request in requests {
            let fresh = "sk-fresh-" + UUID().uuidString
            let target = secrets.reduce(request.target) { $0.replacingOccurrences(of: $1, with: fresh) } + (request.target.contains("?") ? "&miss=1" : "?miss=1")
            let body = secrets.reduce(request.body ?? "") { $0.replacingOccurrences(of: $1, with: fresh) }
            let outcome = engine.respond(
                to: ReplayRequest(method: request.method.rawValue, target: target, fields: [.init(name: AomiHeader.sessionID, value: session)], body: Array(body.utf8)))
            let shown = String(decoding: outcome.answer.body, as: UTF8.self) + (outcome.explanation ?? "")
            #expect(outcome.kind == .miss && !shown.contains(fresh), "\(request.target): \(shown)")
        }
    }
}
