import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// A client of one bucket of an S3-compatible store: put (a file, streamed, or bytes),
/// head, get (whole or a byte range), list, delete. Every request is signed (`SigV4Signer`)
/// and carries the SHA-256 of its payload, which the store checks; an upload also carries
/// its MD5 (`Content-MD5`). A transient failure (unreachable, 5xx, `SlowDown`) is tried
/// again `attempts` times with a growing wait; what still fails is a `StoreError`.
public final class ObjectStoreClient: Sendable {
    public let endpoint: StoreEndpoint
    public let bucket: String
    private let signer: SigV4Signer
    private let http: HTTPClient
    private let attempts: Int
    /// The first wait between attempts; each next one doubles it.
    private let backoff: Duration

    public init(
        endpoint: StoreEndpoint, credentials: StoreCredentials, bucket: String, http: HTTPClient = ObjectStoreClient.sharedHTTP, attempts: Int = 3,
        backoff: Duration = .milliseconds(200)
    ) {
        self.endpoint = endpoint
        self.bucket = bucket
        signer = SigV4Signer(credentials: credentials, region: endpoint.region)
        self.http = http
        self.attempts = max(1, attempts)
        self.backoff = backoff
    }

    /// A client of `location`'s bucket, configured from the usual `AWS_*` variables
    /// (`StoreEndpoint`, `StoreCredentials`).
    public convenience init(location: StoreLocation, environment: [String: String] = ProcessInfo.processInfo.environment, attempts: Int = 3) throws(StoreError) {
        self.init(
            endpoint: try StoreEndpoint.from(environment: environment), credentials: try StoreCredentials.from(environment: environment), bucket: location.bucket,
            attempts: attempts)
    }

    /// The process's HTTP client for stores: a refused or unanswered connection fails the
    /// attempt at once (our own retries wait between attempts) instead of being tried again
    /// until the request's deadline, which for an upload is long. Never shut down, like
    /// `HTTPClient.shared`.
    public static let sharedHTTP: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .seconds(10)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    // MARK: Operations

    /// Uploads the file at `path` as `key` in one `PUT`, streamed from the disk, and returns
    /// the object as the store reports it. The store checks the bytes against their MD5 and
    /// SHA-256, so an object that exists after this call is the file, whole; an ETag that is
    /// not the file's MD5 is an error. One `PUT` takes up to 5 GiB, far above `--rotate`.
    /// `condition` makes the `PUT` conditional: it then fails with
    /// `StoreError.isConflict` when another writer got there first.
    @discardableResult
    public func put(key: String, file path: String, condition: PutCondition = .none) async throws(StoreError) -> StoreObject {
        let digests = try FileDigests(path: path)
        let headers =
            [("Content-Length", String(digests.size)), ("Content-MD5", digests.md5Base64), ("Content-Type", "application/octet-stream")]
            + condition.headers
        let answer = try await send(
            "PUT", key: key, headers: headers, payloadHash: digests.sha256Hex, timeout: Self.timeout(bytes: digests.size)
        ) { .stream(FileChunks(path: path, size: digests.size), length: .known(digests.size)) }
        let etag = Self.etag(answer.headers) ?? ""
        guard etag == digests.md5Hex else { throw .uploadMismatch(key: key, expected: "ETag \(digests.md5Hex)", found: "ETag \(etag)") }
        return StoreObject(key: key, size: digests.size, etag: etag)
    }

    /// Uploads the file at `path` as `key`, then reads the object back (`HEAD`) and checks its
    /// size and ETag (the file's MD5) against the file: only then is the upload done.
    @discardableResult
    public func putChecked(key: String, file path: String, condition: PutCondition = .none) async throws(StoreError) -> StoreObject {
        let sent = try await put(key: key, file: path, condition: condition)
        guard let stored = try await head(key: key) else { throw .uploadMismatch(key: key, expected: "\(sent.size) bytes", found: "no object") }
        guard stored.size == sent.size, stored.etag == sent.etag else {
            throw .uploadMismatch(key: key, expected: "\(sent.size) bytes, ETag \(sent.etag)", found: "\(stored.size) bytes, ETag \(stored.etag)")
        }
        return stored
    }

    /// Uploads `bytes` as `key`.
    @discardableResult
    public func put(key: String, bytes: [UInt8], condition: PutCondition = .none) async throws(StoreError) -> StoreObject {
        let md5 = Insecure.MD5.hash(data: bytes)
        let headers =
            [("Content-Length", String(bytes.count)), ("Content-MD5", Data(md5).base64EncodedString()), ("Content-Type", "application/octet-stream")]
            + condition.headers
        let answer = try await send("PUT", key: key, headers: headers, payloadHash: SHA256.hash(data: bytes).hexString) { .bytes(bytes) }
        return StoreObject(key: key, size: Int64(bytes.count), etag: Self.etag(answer.headers) ?? md5.hexString)
    }

    /// The object `key`, or nil when there is none.
    public func head(key: String) async throws(StoreError) -> StoreObject? {
        let answer = try await send("HEAD", key: key, accepting: [200, 404])
        guard answer.status == 200 else { return nil }
        return StoreObject(key: key, size: answer.headers.first(name: "content-length").flatMap { Int64($0) } ?? 0, etag: Self.etag(answer.headers) ?? "")
    }

    /// The bytes of `key`, or of `range` of them (a `Range` request: the store answers 206).
    public func get(key: String, range: Range<Int64>? = nil) async throws(StoreError) -> [UInt8] {
        var headers: [(String, String)] = []
        if let range {
            guard !range.isEmpty else { return [] }
            headers.append(("Range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)"))
        }
        let answer = try await send("GET", key: key, headers: headers, accepting: range == nil ? [200] : [206])
        return answer.body
    }

    /// Copies the object `object` into the file at `path`, streamed (any size): written beside
    /// it as `PATH.PID-RANDOM.part`, checked against the object's size (and its MD5 when the ETag is one),
    /// synced, then renamed into place, so `path` never holds part of an object.
    public func download(_ object: StoreObject, to path: String) async throws(StoreError) {
        try await retrying { () async throws(StoreError) in try await downloadOnce(object, to: path) }
    }

    private func downloadOnce(_ object: StoreObject, to path: String) async throws(StoreError) {
        // A name of its own: two processes may fetch the same object into one cache at once.
        let draft = path + ".\(getpid())-\(UUID().uuidString.prefix(8)).part"
        let file = try DownloadFile(path: draft)
        defer { file.discard() }
        let answer = try await sendOnce(
            "GET", key: object.key, query: [], headers: [], payloadHash: SigV4Signer.emptyPayloadHash, accepting: [200], timeout: Self.timeout(bytes: object.size),
            sink: file, body: nil)
        guard file.size == object.size else {
            throw .uploadMismatch(key: object.key, expected: "\(object.size) bytes", found: "\(file.size) bytes downloaded (status \(answer.status))")
        }
        if let md5 = object.plainMD5, file.md5Hex != md5 {
            throw .uploadMismatch(key: object.key, expected: "MD5 \(md5)", found: "MD5 \(file.md5Hex) downloaded")
        }
        try file.finish(as: path)
    }

    /// Every object whose key starts with `prefix`, in key order (ListObjectsV2, page by page).
    public func list(prefix: String) async throws(StoreError) -> [StoreObject] {
        var objects: [StoreObject] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", prefix)]
            if let token { query.append(("continuation-token", token)) }
            let answer = try await send("GET", key: nil, query: query)
            let xml = Substring(decoding: answer.body, as: UTF8.self)
            for entry in S3XML.elements("Contents", in: xml) {
                guard let key = S3XML.value("Key", in: entry), let size = S3XML.value("Size", in: entry).flatMap({ Int64($0) }) else { continue }
                objects.append(StoreObject(key: key, size: size, etag: Self.unquoted(S3XML.value("ETag", in: entry) ?? "")))
            }
            token = S3XML.value("IsTruncated", in: xml) == "true" ? S3XML.value("NextContinuationToken", in: xml) : nil
        } while token != nil
        return objects
    }

    /// Deletes `key` (deleting an object that is not there succeeds, as S3 has it).
    public func delete(key: String) async throws(StoreError) {
        _ = try await send("DELETE", key: key, accepting: [200, 204, 404])
    }

    /// Creates the bucket (for tests and set-up); one that this account owns already is fine.
    public func createBucket() async throws(StoreError) {
        do {
            _ = try await send("PUT", key: nil)
        } catch let error {
            if case let .refused(_, _, _, code, _, _) = error, code == "BucketAlreadyOwnedByYou" { return }
            throw error
        }
    }

    /// Lists at most one key: fails with what the store says when the credentials, the
    /// bucket or the endpoint are wrong (checked once at start, so that the cause is clear).
    public func checkAccess() async throws(StoreError) {
        _ = try await send("GET", key: nil, query: [("list-type", "2"), ("max-keys", "1")])
    }

    // MARK: Requests

    private struct Answer {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    /// Sends a signed request, trying a transient failure again; `body` makes a new body for
    /// each attempt (a file is streamed again from its start).
    private func send(
        _ method: String, key: String?, query: [(String, String)] = [], headers: [(String, String)] = [], payloadHash: String = SigV4Signer.emptyPayloadHash,
        accepting accepted: Set<Int> = [200], timeout: TimeAmount = .seconds(30), body: () -> HTTPClientRequest.Body? = { nil }
    ) async throws(StoreError) -> Answer {
        try await retrying { () async throws(StoreError) in
            try await sendOnce(
                method, key: key, query: query, headers: headers, payloadHash: payloadHash, accepting: accepted, timeout: timeout, sink: nil, body: body())
        }
    }

    /// `attempt`, and again after a transient failure (`StoreError.isTransient`), up to
    /// `attempts` times with a doubling wait between them.
    private func retrying<Result>(_ attempt: () async throws(StoreError) -> Result) async throws(StoreError) -> Result {
        var wait = backoff
        for _ in 1..<attempts {
            do {
                return try await attempt()
            } catch let error {
                guard error.isTransient else { throw error }
                try? await Task.sleep(for: wait)
                wait *= 2
            }
        }
        return try await attempt()
    }

    private func sendOnce(
        _ method: String, key: String?, query: [(String, String)], headers: [(String, String)], payloadHash: String, accepting accepted: Set<Int>,
        timeout: TimeAmount, sink: DownloadFile?, body: HTTPClientRequest.Body?
    ) async throws(StoreError) -> Answer {
        let path = endpoint.path(bucket: bucket, key: key)
        var request = HTTPClientRequest(url: endpoint.url(bucket: bucket, path: path, query: query))
        request.method = HTTPMethod(rawValue: method)
        let host = endpoint.hostField(bucket: bucket)
        let signed = headers + [("host", host)]
        let signable = SigV4Signer.Request(
            method: method, path: path, query: query.map { (name: $0.0, value: $0.1) }, headers: signed.map { (name: $0.0, value: $0.1) }, payloadHash: payloadHash)
        for (name, value) in signed + signer.headers(for: signable, at: Date()).map({ ($0.name, $0.value) }) {
            request.headers.replaceOrAdd(name: name == "host" ? "Host" : name, value: value)
        }
        request.body = body
        let operation = method + " s3://" + bucket
        let place = key ?? "(the bucket)"
        do {
            let response = try await http.execute(request, timeout: timeout)
            let status = Int(response.status.code)
            if let sink, accepted.contains(status) {
                for try await chunk in response.body { try sink.append(chunk) }
                return Answer(status: status, headers: response.headers, body: [])
            }
            let bytes = Array(buffer: try await response.body.collect(upTo: Self.maxAnswerBytes))
            guard accepted.contains(status) else {
                let xml = Substring(decoding: bytes, as: UTF8.self)
                throw StoreError.refused(
                    operation: operation, key: place, status: status, code: S3XML.value("Code", in: xml), message: S3XML.value("Message", in: xml),
                    requestID: S3XML.value("RequestId", in: xml) ?? response.headers.first(name: "x-amz-request-id"))
            }
            return Answer(status: status, headers: response.headers, body: bytes)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .unreachable(operation: operation, key: place, reason: "\(error)")
        }
    }

    /// The largest answer read: a range of a record, a page of a listing.
    private static let maxAnswerBytes = 256 << 20

    /// Thirty seconds, and one more for each MiB past the first.
    private static func timeout(bytes: Int64) -> TimeAmount {
        .seconds(30 + bytes / (1 << 20))
    }

    private static func etag(_ headers: HTTPHeaders) -> String? {
        headers.first(name: "etag").map(unquoted)
    }

    private static func unquoted(_ text: String) -> String {
        text.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }
}
