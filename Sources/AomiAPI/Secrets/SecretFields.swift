/// Where the Aomi API carries secrets: App keys and credentials in headers, common secret
/// query parameters, the values of `POST /api/secrets` and the provider key of
/// `POST /api/control/provider-keys`. The recorder redacts them before anything is written;
/// the replay shows them only as tokens when it explains a miss.
public enum SecretFields {
    /// Header names, lower-case.
    public static let headers: Set<String> = ["aomi-app-key", "x-api-key", "authorization", "proxy-authorization", "cookie", "set-cookie"]
    public static let queryParameters: Set<String> = ["api_key", "apikey", "key", "token", "access_token", "secret", "password"]
    /// JSON paths in request bodies, per request path; `*` stands for any key or index.
    public static let bodyPaths: [(requestPath: String, path: [String])] = [
        (AomiPath.secrets, ["secrets", "*"]),
        (AomiPath.providerKeys, ["api_key"]),
    ]

    /// `target` as a log line may show it: the values of secret query parameters replaced by
    /// `redacted`.
    public static func loggable(_ target: String) -> String {
        guard let query = QueryString.rawQuery(of: target) else { return target }
        let pairs = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            guard let name = QueryString.parameters(of: "?" + pair).first?.name, queryParameters.contains(name) else { return String(pair) }
            return String(pair.prefix { $0 != "=" }) + "=redacted"
        }
        return QueryString.path(of: target) + "?" + pairs.joined(separator: "&")
    }

    /// A rule's path against a value's: equal step by step, `*` standing for any key or index.
    public static func matches(_ rule: [String], _ path: [String]) -> Bool {
        rule.count == path.count && zip(rule, path).allSatisfy { $0 == "*" || $0 == $1 }
    }
}
