/// The store's address and how buckets are named in it: from `AWS_ENDPOINT_URL_S3` or
/// `AWS_ENDPOINT_URL` (default `https://s3.REGION.amazonaws.com`), `AWS_REGION` or
/// `AWS_DEFAULT_REGION` (default `us-east-1`), and `AOMI_S3_ADDRESSING` (`path`: the bucket
/// is the first path segment; `virtual`: it is the first label of the host name). The
/// default is `virtual` on AWS and `path` elsewhere, which every S3-compatible store takes.
public struct StoreEndpoint: Sendable, CustomStringConvertible {
    /// How a request names its bucket.
    public enum Addressing: String, Sendable {
        case path
        case virtual
    }

    public var scheme: String
    public var host: String
    public var port: Int?
    public var region: String
    public var addressing: Addressing

    public init(scheme: String, host: String, port: Int?, region: String, addressing: Addressing) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.region = region
        self.addressing = addressing
    }

    public static func from(environment: [String: String]) throws(StoreError) -> StoreEndpoint {
        let region = [environment["AWS_REGION"], environment["AWS_DEFAULT_REGION"]].compactMap { $0 }.first { !$0.isEmpty } ?? "us-east-1"
        let url = [environment["AWS_ENDPOINT_URL_S3"], environment["AWS_ENDPOINT_URL"]].compactMap { $0 }.first { !$0.isEmpty } ?? "https://s3.\(region).amazonaws.com"
        guard let (scheme, host, port) = Self.parse(url) else {
            throw .invalidSetting("AWS_ENDPOINT_URL", value: url, reason: "expected http:// or https://, a host and an optional port, nothing after")
        }
        let addressing: Addressing
        if let named = environment["AOMI_S3_ADDRESSING"], !named.isEmpty {
            guard let chosen = Addressing(rawValue: named) else { throw .invalidSetting("AOMI_S3_ADDRESSING", value: named, reason: "expected path or virtual") }
            addressing = chosen
        } else {
            addressing = host.hasSuffix(".amazonaws.com") ? .virtual : .path
        }
        return StoreEndpoint(scheme: scheme, host: host, port: port, region: region, addressing: addressing)
    }

    /// The `Host` field of a request to `bucket` (signed, so it is written exactly so).
    func hostField(bucket: String) -> String {
        let name = addressing == .virtual ? bucket + "." + host : host
        return port.map { "\(name):\($0)" } ?? name
    }

    /// The request path of `key` in `bucket` (encoded), `/` + bucket alone for the bucket.
    func path(bucket: String, key: String?) -> String {
        let object = key.map { "/" + SigV4Encoding.path($0) } ?? "/"
        return addressing == .path ? "/" + bucket + (key == nil ? "" : object) : object
    }

    /// The URL of a request: scheme, host and port, then `path` and its encoded query.
    func url(bucket: String, path: String, query: [(name: String, value: String)]) -> String {
        let encoded = query.map { SigV4Encoding.component($0.name) + "=" + SigV4Encoding.component($0.value) }.joined(separator: "&")
        return "\(scheme)://\(hostField(bucket: bucket))\(path)" + (encoded.isEmpty ? "" : "?" + encoded)
    }

    public var description: String { "\(scheme)://\(host)" + (port.map { ":\($0)" } ?? "") + " (\(region), \(addressing.rawValue)-style)" }

    private static func parse(_ url: String) -> (String, String, Int?)? {
        let parts = url.split(separator: "://", maxSplits: 1).map(String.init)
        guard parts.count == 2, ["http", "https"].contains(parts[0].lowercased()) else { return nil }
        var authority = parts[1]
        if authority.hasSuffix("/") { authority.removeLast() }
        guard !authority.isEmpty, !authority.contains("/"), !authority.contains("@"), !authority.contains("?") else { return nil }
        let hostAndPort = authority.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard hostAndPort.count <= 2, !hostAndPort[0].isEmpty else { return nil }
        var port: Int?
        if hostAndPort.count == 2 {
            guard let number = Int(hostAndPort[1]), (1...65535).contains(number) else { return nil }
            port = number
        }
        return (parts[0].lowercased(), hostAndPort[0].lowercased(), port)
    }
}
