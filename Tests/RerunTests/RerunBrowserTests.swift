import ArchiveBrowser
import ArchiveIndex
import AsyncHTTPClient
import Foundation
import HTTPServing
import Rerun
import TestSupport
import Testing

/// `serve` shows a rerun beside its original, turn by turn, linked from both sessions' pages.
@Suite struct RerunBrowserTests {
    private func get(_ url: String) async throws -> (status: Int, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(60))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 16 << 20)))
    }

    @Test(.timeLimit(.minutes(10))) func bothPagesLinkTheComparisonWhichShowsWhatChanged() async throws {
        let fixture = try await RerunFixture.recorded(wallets: 1, threads: 1, messages: 3)
        defer { Task { await fixture.remove() } }
        let amounts = try await RerunFixture.simulator(.fast(variant: .amounts))
        defer { Task { await amounts.stop() } }
        let report = try await fixture.rerun(against: amounts.baseURL)
        let original = try #require(report.sessions.first?.original)
        let rerun = try #require(report.sessions.first?.reruns.first?.rerun)
        let location = fixture.root + "/index.sqlite"
        _ = try ArchiveIndexer(database: ArchiveDatabase(location: location), root: fixture.root).run()
        let server = try await ArchiveBrowser(root: fixture.root, databaseLocation: location, logger: ApplicationServer.quietLogger()).start()
        defer { Task { await server.stop() } }

        let originalPage = try await get(server.baseURL + "/sessions/\(original)")
        #expect(originalPage.body.contains("href=\"/sessions/\(rerun)/compare\""), "the original links its rerun's comparison")
        let rerunPage = try await get(server.baseURL + "/sessions/\(rerun)")
        #expect(rerunPage.body.contains("rerun of <a class=\"mono\" href=\"/sessions/\(original)\">"))
        #expect(rerunPage.body.contains("href=\"/sessions/\(rerun)/compare\""))

        let compare = try await get(server.baseURL + "/sessions/\(rerun)/compare")
        #expect(compare.status == 200)
        #expect(compare.body.contains("Turn 1: “") && compare.body.contains("class=\"side\""))
        #expect(compare.body.contains("<span class=\"verdict structural\">wallet request changed</span>"), "\(compare.body)")
        #expect(compare.body.contains("<del>") && compare.body.contains("<ins>"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try await get(server.baseURL + "/sessions/\(rerun)/compare?format=json").body.utf8)) as? [String: Any])
        let turns = try #require((json["comparison"] as? [String: Any])?["turns"] as? [[String: Any]])
        #expect(turns.count == 3 && turns.contains { $0["verdict"] as? String == "wallet request changed" })

        let notARerun = try await get(server.baseURL + "/sessions/\(original)/compare")
        #expect(notARerun.status == 404 && notARerun.body.contains("is not an indexed rerun"))
    }
}
