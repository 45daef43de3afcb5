import AomiAPI

/// What a request is matched on: method, path, query parameters in a canonical order (JSON
/// values such as `user_state` as canonical JSON) and the body as canonical JSON, without the
/// volatile values `MatchRules` leaves out (`client_id`, transaction hashes, signatures). The
/// session is not part of it: every replayed session has its own queues. Header fields take
/// part only when named (`--match-header`).
public struct RequestKey: Hashable, Sendable, CustomStringConvertible {
    /// One query parameter (decoded; JSON values canonical) or named header field.
    public struct Parameter: Hashable, Sendable, Comparable {
        public var name: String
        public var value: String

        public static func < (lhs: Parameter, rhs: Parameter) -> Bool { (lhs.name, lhs.value) < (rhs.name, rhs.value) }
    }

    public var method: String
    public var path: String
    public var parameters: [Parameter]
    public var body: String
    /// The values of the header fields matching takes into account (names lower-case).
    public var headers: [Parameter]

    /// `rules` name the header fields that take part and the volatile values left out;
    /// `fields` are the request's.
    public init(method: String, target: String, body: [UInt8], fields: [(name: String, value: String)] = [], rules: MatchRules = MatchRules()) {
        self.method = method.uppercased()
        path = QueryString.path(of: target)
        parameters = QueryString.parameters(of: target).compactMap { parameter in
            guard !rules.ignoredParameters.contains(parameter.name) else { return nil }
            return Parameter(name: parameter.name, value: CanonicalJSON.canonical(parameter.value, removing: rules.paths(inParameter: parameter.name)))
        }.sorted()
        self.body = CanonicalJSON.canonical(body, removing: rules.ignoredPaths)
        headers =
            rules.headerNames.isEmpty
            ? []
            : fields.compactMap { field in
                let name = field.name.lowercased()
                return rules.headerNames.contains(name) ? Parameter(name: name, value: field.value) : nil
            }.sorted()
    }

    /// Method and path: the requests that can be compared field by field.
    public var route: String { method + " " + path }

    public var description: String {
        let query = parameters.isEmpty ? "" : "?" + parameters.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        let named = headers.map { " [\($0.name): \($0.value)]" }.joined()
        return "\(method) \(path)\(query)" + (body.isEmpty ? "" : " \(body)") + named
    }

    /// The key with path segments that are session ids replaced by `map` (client id → recorded id).
    func replacingSessions(_ map: [String: String]) -> RequestKey {
        guard !map.isEmpty else { return self }
        var key = self
        key.path = path.split(separator: "/", omittingEmptySubsequences: false).map { map[String($0)] ?? String($0) }.joined(separator: "/")
        return key
    }
}
