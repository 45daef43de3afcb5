import AomiAPI
import AomiArchive

/// What a request is matched on: method, path, query parameters in a canonical order (JSON
/// values such as `user_state` as canonical JSON) and the body as canonical JSON, without the
/// volatile values `MatchRules` leaves out (`client_id`, transaction hashes, signatures). The
/// session is not part of it: every replayed session has its own queues. Header fields take
/// part only when named (`--match-header`).
///
/// Secrets take part by their name only: a value in a place `SecretFields` lists (a secret
/// query parameter or header field, the values under `secrets` of `POST /api/secrets`, the
/// `api_key` of `POST /api/control/provider-keys`) stands as `<secret>` in the key. Whoever
/// replays a session (a developer reproducing a user's bug) does not have the user's secrets,
/// and the recording holds only their tokens. The values stay beside the key, out of the
/// match, for what a miss shows (as tokens, `hidingSecrets`).
public struct RequestKey: Hashable, Sendable, CustomStringConvertible {
    /// One query parameter (decoded; JSON values canonical) or named header field.
    public struct Parameter: Hashable, Sendable, Comparable {
        public var name: String
        public var value: String

        public static func < (lhs: Parameter, rhs: Parameter) -> Bool { (lhs.name, lhs.value) < (rhs.name, rhs.value) }
    }

    /// The parts of a key with their secret values as sent or recorded.
    struct Unmasked: Sendable {
        var parameters: [Parameter]
        var body: String
        var headers: [Parameter]
    }

    /// What a secret value is in the key.
    public static let secretValue = "<secret>"

    public var method: String
    public var path: String
    public var parameters: [Parameter]
    public var body: String
    /// The values of the header fields matching takes into account (names lower-case).
    public var headers: [Parameter]
    /// The parts that hold secrets with their values, when there are any: never matched on.
    var unmasked: Unmasked?

    /// `rules` name the header fields that take part and the volatile values left out;
    /// `fields` are the request's.
    public init(method: String, target: String, body: [UInt8], fields: [HTTPMessageHead.Field] = [], rules: MatchRules = MatchRules()) {
        self.method = method.uppercased()
        let path = QueryString.path(of: target)
        self.path = path
        let sentParameters: [Parameter] = QueryString.parametersSplittingSemicolons(of: target).compactMap { parameter in
            guard !rules.ignoredParameters.contains(parameter.name) else { return nil }
            return Parameter(name: parameter.name, value: CanonicalJSON.canonical(parameter.value, removing: rules.paths(inParameter: parameter.name)))
        }.sorted()
        parameters = sentParameters.map { SecretFields.isSecretQueryParameter($0.name) ? Parameter(name: $0.name, value: Self.secretValue) : $0 }.sorted()
        let secretPaths = SecretFields.bodyPaths(forRequestPath: path)
        let sentBody = CanonicalJSON.canonical(body, removing: rules.ignoredPaths)
        self.body = secretPaths.isEmpty ? sentBody : CanonicalJSON.canonical(body, removing: rules.ignoredPaths, masking: secretPaths, with: Self.secretValue)
        let sentHeaders: [Parameter] =
            rules.headerNames.isEmpty
            ? []
            : fields.compactMap { field in
                let name = field.name.lowercased()
                return rules.headerNames.contains(name) ? Parameter(name: name, value: field.value) : nil
            }.sorted()
        headers = sentHeaders.map { SecretFields.headers.contains($0.name) ? Parameter(name: $0.name, value: Self.secretValue) : $0 }.sorted()
        if parameters != sentParameters || self.body != sentBody || headers != sentHeaders {
            unmasked = Unmasked(parameters: sentParameters, body: sentBody, headers: sentHeaders)
        }
    }

    /// Method and path: the requests that can be compared field by field.
    public var route: String { method + " " + path }

    /// Whether a value of the key is a redaction token (`redacted:…`, a secret the recorder
    /// replaced where `SecretFields` does not mask it): the only way a key that is not equal
    /// to a sent one can still match it (`matches(sent:tokens:)`).
    var holdsTokens: Bool {
        let marker = "redacted:"
        return body.contains(marker) || parameters.contains { $0.value.contains(marker) } || headers.contains { $0.value.contains(marker) }
    }

    public var description: String {
        let shown = unmasked ?? Unmasked(parameters: parameters, body: body, headers: headers)
        let query = shown.parameters.isEmpty ? "" : "?" + shown.parameters.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        let named = shown.headers.map { " [\($0.name): \($0.value)]" }.joined()
        return "\(method) \(path)\(query)" + (shown.body.isEmpty ? "" : " \(shown.body)") + named
    }

    public static func == (lhs: RequestKey, rhs: RequestKey) -> Bool {
        lhs.method == rhs.method && lhs.path == rhs.path && lhs.parameters == rhs.parameters && lhs.body == rhs.body && lhs.headers == rhs.headers
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(path)
        hasher.combine(parameters)
        hasher.combine(body)
        hasher.combine(headers)
    }

    /// The key with path segments that are session ids replaced by `map` (client id → recorded id).
    func replacingSessions(_ map: [String: String]) -> RequestKey {
        guard !map.isEmpty else { return self }
        var key = self
        key.path = path.split(separator: "/", omittingEmptySubsequences: false).map { map[String($0)] ?? String($0) }.joined(separator: "/")
        return key
    }
}
