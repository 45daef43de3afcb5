import Crypto
import Foundation

/// Signs HTTP requests with AWS Signature Version 4 (`AWS4-HMAC-SHA256`), the way every
/// S3-compatible store authenticates: a canonical form of the request (method, path, query,
/// the headers signed, the payload's SHA-256) hashed, then signed with a key derived from
/// the secret, the day, the region and the service. Checked against AWS's published test
/// vectors (`SigV4SignerTests`).
public struct SigV4Signer: Sendable {
    public var credentials: StoreCredentials
    public var region: String
    public var service: String

    public init(credentials: StoreCredentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The SHA-256 of an empty payload, in hex.
    public static let emptyPayloadHash = SHA256.hash(data: Data()).hexString

    /// What a request is signed on. `path` is the canonical path as it is sent (each segment
    /// already percent-encoded, `SigV4Encoding.path`); `query` the decoded parameters;
    /// `headers` every header to sign (`host` among them).
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var query: [(name: String, value: String)]
        public var headers: [(name: String, value: String)]
        public var payloadHash: String

        public init(method: String, path: String, query: [(name: String, value: String)] = [], headers: [(name: String, value: String)], payloadHash: String) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }
    }

    /// The headers to add to `request` for it to be accepted at `date`: `x-amz-date`,
    /// `x-amz-content-sha256`, `x-amz-security-token` with a session token, and
    /// `Authorization`, which signs them all with `request.headers`.
    public func headers(for request: Request, at date: Date) -> [(name: String, value: String)] {
        let stamp = SigV4Date(date)
        var added: [(name: String, value: String)] = [("x-amz-date", stamp.full), ("x-amz-content-sha256", request.payloadHash)]
        if let token = credentials.sessionToken { added.append(("x-amz-security-token", token)) }
        var signed = request
        signed.headers += added
        return added + [("Authorization", authorization(for: signed, date: stamp))]
    }

    /// The `Authorization` value of a request whose headers already hold `x-amz-date`.
    public func authorization(for request: Request, date: SigV4Date) -> String {
        let canonical = Self.canonicalRequest(request)
        let scope = "\(date.day)/\(region)/\(service)/aws4_request"
        let stringToSign = "AWS4-HMAC-SHA256\n\(date.full)\n\(scope)\n\(SHA256.hash(data: Data(canonical.request.utf8)).hexString)"
        let signature = HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: signingKey(day: date.day)).hexString
        return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"
    }

    /// The key of one day, region and service: HMACs chained from `AWS4` + the secret.
    func signingKey(day: String) -> SymmetricKey {
        var key = SymmetricKey(data: Data(("AWS4" + credentials.secretAccessKey).utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return key
    }

    /// The canonical request and the names of the headers it signs.
    static func canonicalRequest(_ request: Request) -> (request: String, signedHeaders: String) {
        let query = request.query.map { (SigV4Encoding.component($0.name), SigV4Encoding.component($0.value)) }
            .sorted { ($0.0, $0.1) < ($1.0, $1.1) }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        var values: [String: [String]] = [:]
        for header in request.headers { values[header.name.lowercased(), default: []].append(Self.trimmed(header.value)) }
        let names = values.keys.sorted()
        let headers = names.map { "\($0):\(values[$0, default: []].joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        return ([request.method, request.path, query, headers, signedHeaders, request.payloadHash].joined(separator: "\n"), signedHeaders)
    }

    /// A header value as signed: without surrounding spaces, runs of spaces made one.
    private static func trimmed(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }
}

/// A request's time as SigV4 writes it: `20150830T123600Z` and its day `20150830` (UTC).
public struct SigV4Date: Sendable {
    public let full: String
    public var day: String { String(full.prefix(8)) }

    public init(_ date: Date) {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        full = String(
            format: "%04d%02d%02dT%02d%02d%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min),
            Int(parts.tm_sec))
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hex, two digits a byte.
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

extension HashedAuthenticationCode {
    var hexString: String { Array(self).hexString }
}

extension Digest {
    var hexString: String { Array(self).hexString }
}
