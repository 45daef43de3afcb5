import AomiAPI
import AsyncHTTPClient
import Foundation
import HTTPServing
import Hummingbird
import NIOCore
import Recorder
import Synchronization
import TestSupport
import Testing
import WARC

/// The recorder on a real, full filesystem (a small tmpfs): failed writes leak nothing, leave
/// no empty or torn file, are counted and told to the client, and recording resumes when
/// space comes back.
@Suite(.enabled(if: SmallFilesystem.available, "mounting a tmpfs needs root; this machine refuses it"))
struct RecordingProxyFullDiskTests {
    @Test(.tags(.slow), .notInFastLoop, .timeLimit(.minutes(10)))
    func aFullDiskIsCountedToldAndRecoveredFromWithoutLeaksOrTears() async throws {
        let disk = try SmallFilesystem(kilobytes: 512)
        defer { disk.unmount() }
        let upstream = try await DiskTestUpstream.start()
        let proxy = try await RecordingFixture.start(upstream: upstream.server.baseURL, root: disk.path + "/Archives")
        let walletA = "0x" + String(repeating: "a", count: 40)

        let first = try await proxy.get("/api/sessions?public_key=\(walletA)", session: "session-a")
        #expect(first.status == 200 && first.recorded == nil)

        disk.fill()
        let descriptors = disk.openDescriptors()
        for number in 0..<40 {
            let wallet = "0x" + String(format: "%040x", 0xB000 + number)
            let answer = try await proxy.get("/api/sessions?public_key=\(wallet)")
            #expect(answer.status == 200 && answer.body == "[]", "the client still gets its answer")
            #expect(answer.recorded == "no", "and is told it was not recorded")
        }
        #expect(disk.openDescriptors() <= descriptors + 1, "no descriptor per failed exchange: \(disk.openDescriptors()) open, \(descriptors) before")
        let files = SmallFilesystem.files(under: proxy.root)
        #expect(!files.contains { $0.size == 0 }, "no empty file left behind: \(files)")
        #expect(files.filter { $0.path.hasSuffix(".open") }.count == 1, "only wallet A's file is open: \(files)")

        let failing = try await proxy.health()
        #expect(failing.status == 503)
        #expect(failing.health.status == "failing" && failing.health.writeFailures >= 40)
        #expect(failing.health.lastError?.contains("No space left on device") == true, "\(failing.health)")

        // Room for part of a large answer: the write tears, and is cut back.
        disk.free()
        disk.fill(leaving: 24 << 10)
        let torn = try await proxy.get("/blob?n=200000", session: "session-a")
        #expect(torn.status == 200 && torn.body.utf8.count == 200_000 && torn.recorded == "no")

        disk.free()
        let after = try await proxy.get("/blob?n=1000", session: "session-a")
        #expect(after.status == 200 && after.recorded == nil, "recording resumes when space returns")
        for number in 0..<3 {
            let answer = try await proxy.get("/api/sessions?public_key=0x" + String(format: "%040x", 0xC000 + number))
            #expect(answer.recorded == nil)
        }
        let recovered = try await proxy.health()
        #expect(recovered.status == 200 && recovered.health.status == "ok" && recovered.health.writeFailures == failing.health.writeFailures + 1)

        let closed = try await proxy.stop()
        await upstream.server.stop()
        var requests: [String] = []
        for file in closed {
            let (records, damage) = try WARCFileReader.readAll(path: file)
            #expect(damage.isEmpty, "\(file): \(damage)")
            requests += records.map(\.record).filter { $0.type == .request }.compactMap(\.targetURI)
            let check = try await Warcio.run(["check", file])
            #expect(check.status == 0, "\(check.output)")
        }
        #expect(requests.count == 5, "the exchange before, the small blob and the three new wallets after: \(requests)")
        #expect(requests.filter { $0.hasSuffix("/blob?n=1000") }.count == 1)
        #expect(!requests.contains { $0.hasSuffix("/blob?n=200000") })
    }

    @Test(.timeLimit(.minutes(10)))
    func aStreamThatEndsWhileTheDiskIsFullGetsItsEndOnceSpaceReturns() async throws {
        let disk = try SmallFilesystem(kilobytes: 512)
        defer { disk.unmount() }
        let upstream = try await DiskTestUpstream.start()
        let proxy = try await RecordingFixture.start(upstream: upstream.server.baseURL, root: disk.path + "/Archives")
        // A stream whose first event is recorded, then half an event larger than a page: the
        // client leaves while the disk is full, so the end (holding that half event) cannot be written.
        var request = HTTPClientRequest(url: proxy.server.baseURL + "/partial-stream")
        request.headers.add(name: "X-Session-Id", value: "streaming")
        let stream = try await proxy.client.execute(request, deadline: .distantFuture)
        var parser = ServerSentEventParser()
        var received = 0
        for try await chunk in stream.body {
            received += chunk.readableBytes
            if !parser.feed(chunk.readableBytesView).isEmpty, received < 16_000 {
                disk.fill()
                upstream.openGate()
            }
            if received > 16_000 { break }
        }
        while try await proxy.health().health.writeFailures == 0 { try await Task.sleep(for: .milliseconds(5)) }
        disk.free()
        let after = try await proxy.get("/api/sessions?public_key=0x" + String(repeating: "e", count: 40))
        #expect(after.status == 200 && after.recorded == nil)
        let closed = try await proxy.stop()
        await upstream.server.stop()
        let records = try closed.flatMap { try WARCFileReader.readAll(path: $0).records.map(\.record) }
        let origins = records.filter { $0.type == .response && $0.segmentNumber == 1 }.compactMap(\.recordID)
        let ends = records.filter { $0.type == .continuation && $0.headers["Aomi-Stream-End"] != nil }.compactMap { $0.headers["WARC-Segment-Origin-ID"] }
        #expect(origins.count == 1 && ends == origins, "the stream has its end in the closed files: \(ends)")
        #expect(records.filter { $0.type == .continuation }.last?.headers["Aomi-Stream-End"] == "client-closed")
        for file in closed { #expect(try await Warcio.run(["check", file]).status == 0) }
    }

    @Test(.timeLimit(.minutes(10)))
    func requireRecordingRefusesWhatCannotBeWrittenAndCutsAStream() async throws {
        let disk = try SmallFilesystem(kilobytes: 512)
        defer { disk.unmount() }
        let upstream = try await DiskTestUpstream.start()
        let proxy = try await RecordingFixture.start(upstream: upstream.server.baseURL, requireRecording: true, root: disk.path + "/Archives")

        // A stream whose start is written; its second event meets a full disk.
        var request = HTTPClientRequest(url: proxy.server.baseURL + "/api/updates")
        request.headers.add(name: "X-Session-Id", value: "streaming")
        let stream = try await proxy.client.execute(request, deadline: .distantFuture)
        #expect(stream.status == .ok && stream.headers["X-Aomi-Recorded"].isEmpty)
        var parser = ServerSentEventParser()
        var events: [String] = []
        var filled = false
        var cut = false
        do {
            for try await chunk in stream.body {
                events += parser.feed(chunk.readableBytesView).map { String(decoding: $0.raw, as: UTF8.self) }
                if !filled, !events.isEmpty {
                    // Event 2 meets a full disk; event 3 comes only once the recorder counted that.
                    filled = true
                    disk.fill()
                    upstream.openGate()
                    while try await proxy.health().health.writeFailures == 0 { try await Task.sleep(for: .milliseconds(5)) }
                    upstream.openGate()
                }
            }
        } catch {
            cut = true
        }
        #expect(cut, "the connection is closed before the end of the response")
        #expect(events.count < 3, "the stream is cut once an event cannot be written: \(events.count) events")

        let refused = try await proxy.get("/api/sessions?public_key=0x" + String(repeating: "d", count: 40))
        #expect(refused.status == 503 && refused.recorded == "no")
        #expect(refused.body.contains("could not be recorded"))
        // Now that writes are known to fail, a request is not forwarded at all.
        let listsBefore = upstream.threadLists.count
        let heldBack = try await proxy.get("/api/sessions?public_key=0x" + String(repeating: "d", count: 40))
        #expect(heldBack.status == 503 && heldBack.recorded == "no", "\(heldBack.body)")
        #expect(upstream.threadLists.count == listsBefore, "a request is not forwarded while writes fail")
        var again = HTTPClientRequest(url: proxy.server.baseURL + "/api/updates")
        again.headers.add(name: "X-Session-Id", value: "streaming-2")
        again.headers.add(name: "X-Padding", value: randomText(16_000))
        let refusedStream = try await proxy.client.execute(again, deadline: .distantFuture)
        #expect(refusedStream.status == .serviceUnavailable)
        _ = try await refusedStream.body.collect(upTo: 1 << 20)

        var post = HTTPClientRequest(url: proxy.server.baseURL + "/_recorder/health")
        post.method = .POST
        let readOnly = try await proxy.client.execute(post, deadline: .distantFuture)
        #expect(readOnly.status == .methodNotAllowed, "the health route is read-only")
        _ = try await readOnly.body.collect(upTo: 1 << 20)

        disk.free()
        // The first request after space returns is held back too; recording its refusal shows writes work again.
        let held = try await proxy.get("/api/sessions?public_key=0x" + String(repeating: "d", count: 40))
        #expect(held.status == 503 && held.recorded == nil && held.body.contains("not forwarded"), "\(held.body)")
        #expect(upstream.threadLists.count == listsBefore)
        let accepted = try await proxy.get("/api/sessions?public_key=0x" + String(repeating: "d", count: 40))
        #expect(accepted.status == 200 && accepted.recorded == nil)
        #expect(upstream.threadLists.count == listsBefore + 1)
        let closed = try await proxy.stop()
        await upstream.server.stop()
        for file in closed {
            let (records, damage) = try WARCFileReader.readAll(path: file)
            #expect(damage.isEmpty, "\(file): \(damage)")
            let ends = records.compactMap { $0.record.headers["Aomi-Stream-End"] }
            if records.contains(where: { $0.record.targetURI?.hasSuffix("/api/updates") == true }) {
                #expect(ends == ["error"], "the cut stream ends as error: \(ends)")
            }
        }
    }
}

/// An upstream for the full-disk tests: a thread list, incompressible blobs of any size, and
/// an updates stream that sends its first event, then one more each time the test opens the gate.
struct DiskTestUpstream {
    let server: ApplicationServer
    private let gate: AsyncStream<Void>.Continuation
    /// Thread lists it answered: what reached it.
    let threadLists: Counter

    /// A count shared with the upstream's handlers.
    final class Counter: Sendable {
        private let value = Atomic<Int>(0)
        func add() { value.add(1, ordering: .relaxed) }
        var count: Int { value.load(ordering: .relaxed) }
    }

    static func start() async throws -> DiskTestUpstream {
        let (opened, gate) = AsyncStream.makeStream(of: Void.self)
        let threadLists = Counter()
        let router = Router()
        router.get("/api/sessions") { _, _ in
            threadLists.add()
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "[]")))
        }
        router.get("/blob") { request, _ in
            let size = min(Int(request.uri.queryParameters["n"].map(String.init) ?? "0") ?? 0, 1 << 20)
            return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: randomText(size))))
        }
        router.get("/partial-stream") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/event-stream"],
                body: ResponseBody { writer in
                    var gate = opened.makeAsyncIterator()
                    try await writer.write(ByteBuffer(string: "data: {\"type\":\"tool_update\",\"n\":1}\n\n"))
                    await gate.next()
                    // An event that never ends: what the client got of it is in the stream's last segment.
                    try await writer.write(ByteBuffer(string: "data: {\"padding\":\"\(randomText(16_500))"))
                    await gate.next()
                    try await writer.finish(nil)
                })
        }
        router.get("/api/updates") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/event-stream"],
                body: ResponseBody { writer in
                    var gate = opened.makeAsyncIterator()
                    try await writer.write(ByteBuffer(string: "data: {\"type\":\"tool_update\",\"n\":1}\n\n"))
                    for number in 2...3 {
                        await gate.next()
                        // Incompressible and larger than a page: it cannot hide in the file's last page.
                        try await writer.write(ByteBuffer(string: "data: {\"type\":\"tool_update\",\"n\":\(number),\"padding\":\"\(randomText(16_000))\"}\n\n"))
                    }
                    try await writer.finish(nil)
                })
        }
        return DiskTestUpstream(server: try await ApplicationServer.start(router: router), gate: gate, threadLists: threadLists)
    }

    func openGate() { gate.yield() }
}

/// Letters and digits that do not compress: a record of them takes its size on disk.
func randomText(_ count: Int) -> String {
    var generator = SystemRandomNumberGenerator()
    let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
    return String(decoding: (0..<count).map { _ in letters[Int(generator.next() % UInt64(letters.count))] }, as: UTF8.self)
}

extension RecordingFixture {
    /// A GET through the proxy: status, body and the `X-Aomi-Recorded` header.
    func get(_ target: String, session: String? = nil) async throws -> (status: Int, body: String, recorded: String?) {
        var request = HTTPClientRequest(url: server.baseURL + target)
        if let session { request.headers.add(name: "X-Session-Id", value: session) }
        let response = try await client.execute(request, deadline: .distantFuture)
        let body = try await response.body.collect(upTo: 4 << 20)
        return (Int(response.status.code), String(buffer: body), response.headers["X-Aomi-Recorded"].first)
    }

    /// `GET /_recorder/health`: its status and decoded body.
    func health() async throws -> (status: Int, health: RecorderHealth) {
        let answer = try await get("/_recorder/health")
        return (answer.status, try JSONDecoder().decode(RecorderHealth.self, from: Data(answer.body.utf8)))
    }
}
