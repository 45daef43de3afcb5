import AomiAPI
import AomiArchive

/// What is redacted before any byte reaches an archive: header values, query parameters and
/// values at JSON paths of request bodies (per endpoint).
public struct RedactionRules: Sendable {
    /// A JSON path in the body of requests to one path: `secrets.*` is every value under `secrets`.
    public struct BodyPath: Sendable, Hashable {
        /// The request path it applies to, or nil for every path.
        public var requestPath: String?
        public var components: [String]

        public init(requestPath: String?, _ path: String) throws(RecorderError) {
            let components = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !components.isEmpty, !components.contains(where: \.isEmpty) else { throw .badRedactionPath(path) }
            self.requestPath = requestPath
            self.components = components
        }
    }

    /// Header names, compared case-insensitively (stored lower-case).
    public var headers: Set<String>
    /// Query parameter names beyond `SecretFields`' own, as `SecretFields.normalizedName`s.
    public private(set) var queryParameters: Set<String>
    public var bodyPaths: [BodyPath]

    /// The design's defaults: App keys, credentials and cookies; the common secret query
    /// parameters; the secret values of `POST /api/secrets` and the provider key of
    /// `POST /api/control/provider-keys`.
    public static func defaults() -> RedactionRules {
        RedactionRules(
            headers: SecretFields.headers,
            queryParameters: SecretFields.queryParameters,
            bodyPaths: SecretFields.bodyPaths.map { try! BodyPath(requestPath: $0.requestPath, $0.path.joined(separator: ".")) }
        )
    }

    public init(headers: Set<String>, queryParameters: Set<String>, bodyPaths: [BodyPath]) {
        self.headers = Set(headers.map { $0.lowercased() })
        self.queryParameters = Set(queryParameters.map { SecretFields.normalizedName($0) })
        self.bodyPaths = bodyPaths
    }

    /// Adds the `--redact-header`, `--redact-param` and `--redact-json` flags' values.
    public mutating func add(headers more: [String] = [], queryParameters moreParameters: [String] = [], bodyPaths morePaths: [String] = []) throws(RecorderError) {
        headers.formUnion(more.map { $0.lowercased() })
        queryParameters.formUnion(moreParameters.map { SecretFields.normalizedName($0) })
        for path in morePaths { bodyPaths.append(try BodyPath(requestPath: nil, path)) }
    }
}
