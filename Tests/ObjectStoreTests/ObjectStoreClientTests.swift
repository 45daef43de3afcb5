import AsyncHTTPClient
import Crypto
import Foundation
import TestSupport
import Testing

@testable import ObjectStore

/// The client against a real S3 endpoint (a Ceph RADOS Gateway started for the test):
/// what goes up comes back byte for byte, whole or by range, listed and deleted; and what
/// the store refuses or cannot answer is an error that says so.
@Suite(.tags(.objectStore), .needs(.ceph), .serialized)
struct ObjectStoreClientTests {
    private func client(_ store: CephGateway, bucket: String = "aomi-test", environment extra: [String: String] = [:], attempts: Int = 3) throws -> ObjectStoreClient {
        try ObjectStoreClient(location: try StoreLocation("s3://\(bucket)/p"), environment: store.environment.merging(extra) { $1 }, attempts: attempts)
    }

    @Test(.timeLimit(.minutes(5)))
    func whatGoesUpComesBackWholeOrByRangeAndIsListedAndDeleted() async throws {
        try await CephGateway.with { store in
            let client = try client(store)
            try await client.createBucket()
            try await client.createBucket()

            // A file over RGW's 4 MiB stripe, streamed from the disk.
            var generator = SystemRandomNumberGenerator()
            let bytes = (0..<(5 << 20) + 123).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let path = TemporaryDirectory.path("aomi-upload") + ".warc.gz"
            defer { try? FileManager.default.removeItem(atPath: path) }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let key = "p/0xab/aomi-1 ключ+x.warc.gz"
            let put = try await client.put(key: key, file: path)
            #expect(put.size == Int64(bytes.count))
            #expect(put.etag == Array(Insecure.MD5.hash(data: bytes)).map { String(format: "%02x", $0) }.joined())
            #expect(try await client.head(key: key) == put)
            #expect(try await client.get(key: key) == bytes)
            #expect(try await client.get(key: key, range: 4_194_000..<4_196_000) == Array(bytes[4_194_000..<4_196_000]))
            #expect(try await client.get(key: key, range: 7..<7).isEmpty)

            try await client.put(key: "p/0xab/small", bytes: Array("hello".utf8))
            try await client.put(key: "q/other", bytes: [1])
            let listed = try await client.list(prefix: "p/")
            #expect(listed.map(\.key) == [key, "p/0xab/small"])
            #expect(listed.first?.etag == put.etag && listed.first?.size == put.size)

            try await client.delete(key: key)
            try await client.delete(key: key)
            #expect(try await client.head(key: key) == nil)
            #expect(try await client.list(prefix: "p/").map(\.key) == ["p/0xab/small"])
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func refusalsAndAnAbsentStoreAreErrorsThatSaySo() async throws {
        try await CephGateway.with { store in
            let good = try client(store)
            try await good.createBucket()
            try await good.checkAccess()

            // A wrong secret: refused, a credential problem, not worth retrying.
            let wrong = try client(store, environment: ["AWS_SECRET_ACCESS_KEY": "not-the-secret"])
            await #expect {
                try await wrong.checkAccess()
            } throws: { error in
                guard let error = error as? StoreError else { return false }
                return error.isCredentialProblem && !error.isTransient && "\(error)".contains("SignatureDoesNotMatch") && !"\(error)".contains("not-the-secret")
            }
            let unknown = try client(store, environment: ["AWS_ACCESS_KEY_ID": "nobody"])
            await #expect { try await unknown.checkAccess() } throws: { ($0 as? StoreError)?.isCredentialProblem == true }

            // A bucket that does not exist: refused with its code.
            let missing = try client(store, bucket: "no-such-bucket")
            await #expect { try await missing.checkAccess() } throws: { "\($0)".contains("NoSuchBucket") }

            // The gateway gone: unreachable, transient, after the attempts.
            await store.stopGateway()
            let absent = try client(store, attempts: 2)
            await #expect { try await absent.put(key: "p/x", bytes: [1, 2, 3]) } throws: { error in
                guard let error = error as? StoreError, case .unreachable = error else { return false }
                return error.isTransient
            }
            try await store.startGateway()
            try await good.put(key: "p/x", bytes: [1, 2, 3])
            #expect(try await good.get(key: "p/x") == [1, 2, 3])
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func aBusyStoreIsTriedAgainAndSaidToBeBusyWhenItStaysSo() async throws {
        try await CephGateway.with { store in
            try await client(store).createBucket()
            let relay = try GatedRelay(to: store.port)
            defer { relay.stop() }
            var environment = store.environment
            environment["AWS_ENDPOINT_URL"] = "http://127.0.0.1:\(relay.port)"
            let endpoint = try StoreEndpoint.from(environment: environment)
            let credentials = try StoreCredentials.from(environment: environment)
            // Each step on a pool of its own: its first request opens a connection, which the
            // relay refuses or relays (a kept-alive one would bypass the refusals).
            func busy(_ body: (ObjectStoreClient) async throws -> Void) async throws {
                let http = HTTPClient(eventLoopGroupProvider: .singleton)
                let client = ObjectStoreClient(endpoint: endpoint, credentials: credentials, bucket: "aomi-test", http: http, attempts: 3)
                do { try await body(client) } catch {
                    try await http.shutdown()
                    throw error
                }
                try await http.shutdown()
            }

            // Two 503 SlowDown answers, then the store: every call gets through.
            let file = TemporaryDirectory.path("aomi-busy") + ".warc.gz"
            let copy = file + ".copy"
            defer { for path in [file, copy] { try? FileManager.default.removeItem(atPath: path) } }
            try Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }).write(to: URL(fileURLWithPath: file))
            relay.refuse(next: 2)
            var put: StoreObject?
            try await busy { put = try await $0.putChecked(key: "p/busy.warc.gz", file: file) }
            #expect(relay.refused == 2)
            relay.refuse(next: 2)
            try await busy { try await $0.download(try #require(put), to: copy) }
            #expect(FileManager.default.contents(atPath: copy) == FileManager.default.contents(atPath: file))
            #expect(relay.refused == 4)
            relay.refuse(next: 2)
            var keys: [String] = []
            try await busy { keys = try await $0.list(prefix: "p/").map(\.key) }
            #expect(keys == ["p/busy.warc.gz"])
            #expect(relay.refused == 6)

            // Busy past the attempts: a transient error that names SlowDown.
            relay.refuse(next: 3)
            try await busy { client in
                await #expect { try await client.get(key: "p/busy.warc.gz") } throws: { error in
                    guard let error = error as? StoreError else { return false }
                    return error.isTransient && "\(error)".contains("503 SlowDown")
                }
            }
            #expect(relay.refused == 9)
        }
    }
}
