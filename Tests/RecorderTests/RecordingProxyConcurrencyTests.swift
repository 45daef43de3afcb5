import AomiAPI
import AomiSimulator
import Foundation
import HTTPServing
import Recorder
import TestSupport
import Testing
import WARC

@Suite struct RecordingProxyConcurrencyTests {
    private static func isSessionless(_ request: WARCRecord) -> Bool {
        let line = String(decoding: request.block.prefix(40), as: UTF8.self)
        return line.hasPrefix("GET /api/sessions?public_key=") || line.hasPrefix("POST /api/secrets ")
    }

    /// 100 sessions driven at once through one recorder that rotates its files often: every
    /// exchange is in the archive exactly once, whole, and warcio accepts every file.
    @Test(.tags(.slow), .notInFastLoop, .timeLimit(.minutes(10))) func aHundredConcurrentSessionsAreEachRecordedExactlyOnce() async throws {
        let sim = try await ApplicationServer.start(router: SimulatorRoutes(backend: SimulatorBackend(configuration: .fast())).router())
        let proxy = try await RecordingFixture.start(upstream: sim.baseURL, rotationBytes: 256 << 10)
        defer { proxy.remove() }
        let report = try await AomiDriver(configuration: .fast(target: proxy.server.baseURL, wallets: 25, threads: 4, messages: 2, concurrency: 100)).run()
        let files = try await proxy.stop()
        await sim.stop()
        #expect(report.threads.count == 100)
        #expect(report.errors.isEmpty, "\(report.errors.prefix(5))")

        var records: [WARCRecord] = []
        for file in files {
            let (stored, damage) = try WARCFileReader.readAll(path: file)
            #expect(damage.isEmpty, "\(file): \(damage)")
            records += stored.map(\.record)
        }
        #expect(files.count > 2, "the files rotated")
        let requests = records.filter { $0.type == .request }
        #expect(requests.count == report.requests, "one request record per request the clients made")
        var seen = Set<String>()
        var sequences: [String: [Int]] = [:]
        // The thread list and the secrets registered before a session carry none.
        for request in requests where request.headers["Aomi-Session-Id"] != nil || !Self.isSessionless(request) {
            let session = try #require(request.headers["Aomi-Session-Id"])
            let sequence = try #require(request.headers["Aomi-Exchange-Seq"].flatMap { Int($0) })
            #expect(seen.insert("\(session)#\(sequence)").inserted, "\(session) #\(sequence) recorded twice")
            sequences[session, default: []].append(sequence)
        }
        for thread in report.threads {
            let numbers = sequences[thread.sessionID, default: []].sorted()
            #expect(numbers == Array(1...max(1, numbers.count)), "sequence of \(thread.sessionID)")
        }
        let requestIDs = Set(requests.compactMap(\.recordID))
        let answers = records.filter { ($0.type == .response || $0.type == .revisit) }
        #expect(answers.count == requests.count, "one response or revisit per request")
        #expect(Set(answers.compactMap { $0.headers[WARCField.concurrentTo] }) == requestIDs)
        let allIDs = Set(records.compactMap(\.recordID))
        #expect(
            records.filter { $0.type == .revisit }.allSatisfy { allIDs.contains($0.headers[WARCField.refersTo] ?? "") },
            "every revisit refers to a record of the archive, across rotated files too")
        for file in files {
            let check = try await Warcio.run(["check", file])
            #expect(check.status == 0, "\(file): \(check.output)")
        }
    }
}
