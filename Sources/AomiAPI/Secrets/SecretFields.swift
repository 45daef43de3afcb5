/// Where the Aomi API carries secrets: App keys and credentials in headers, common secret
/// query parameters, the values of `POST /api/secrets` and the provider key of
/// `POST /api/control/provider-keys`. The recorder redacts them before anything is written;
/// the replay matches them by name and shows them only as tokens when it explains a miss.
///
/// A secret is recognised however a client spells it and a backend still reads it: names
/// compare without case, `_`, `-` or a trailing `[…]` (`API_KEY`, `apiKey`, `api_key[]`), a
/// query's pairs split at `;` as well as `&`, request paths compare after percent-decoding,
/// `.` and `..` resolved, without `;parameters` and without case, and a rule's JSON path covers
/// every string at any depth under it.
public enum SecretFields {
    /// Header names, lower-case.
    public static let headers: Set<String> = ["aomi-app-key", "x-api-key", "authorization", "proxy-authorization", "cookie", "set-cookie"]
    public static let queryParameters: Set<String> = ["api_key", "apikey", "key", "token", "access_token", "secret", "password"]
    /// JSON paths in request bodies, per request path; `*` stands for any key or index.
    public static let bodyPaths: [(requestPath: String, path: [String])] = [
        (AomiPath.secrets, ["secrets", "*"]),
        (AomiPath.providerKeys, ["api_key"]),
    ]

    /// A parameter or JSON key as secrets are compared: lower-case, without `_` and `-`, and
    /// without a trailing `[…]` (`api_key[]`, `api_key[0]`).
    public static func normalizedName(_ name: some StringProtocol) -> String {
        var base = Substring(name)
        if base.hasSuffix("]"), let open = base.firstIndex(of: "[") { base = base[..<open] }
        return String(base.lowercased().filter { $0 != "_" && $0 != "-" })
    }

    /// Whether a query parameter named `name` carries a secret: one of `queryParameters`, or
    /// of `more` (the recorder's `--redact-param`, as `normalizedName`s), however it is spelled.
    public static func isSecretQueryParameter(_ name: some StringProtocol, more normalized: Set<String> = []) -> Bool {
        let name = normalizedName(name)
        return normalizedQueryParameters.contains(name) || normalized.contains(name)
    }

    private static let normalizedQueryParameters = Set(queryParameters.map { normalizedName($0) })

    /// The JSON paths of the secrets in a body sent to `requestPath` (any spelling of it).
    public static func bodyPaths(forRequestPath requestPath: String) -> [[String]] {
        let path = canonicalPath(requestPath)
        return bodyPaths.filter { $0.requestPath == path }.map(\.path)
    }

    /// The path a backend serves for `path` (an origin-form or absolute target): percent-decoded,
    /// `//` collapsed, `.` and `..` resolved, `;parameters` of each step dropped, lower-case, no
    /// trailing `/`. `/api//secrets/`, `/api/%73ecrets`, `/api/x/../secrets`, `/API/Secrets` and
    /// `/api/secrets;x` are all `/api/secrets`.
    public static func canonicalPath(_ path: String) -> String {
        if let plain = alreadyCanonical(path) { return plain }
        let decoded = QueryString.decodePath(QueryString.path(of: QueryString.target(ofURI: path)))
        var steps: [Substring] = []
        for step in decoded.split(separator: "/", omittingEmptySubsequences: true) {
            let bare = step.prefix { $0 != ";" }
            switch bare {
            case "", ".": continue
            case "..": _ = steps.popLast()
            default: steps.append(bare)
            }
        }
        return ("/" + steps.joined(separator: "/")).lowercased()
    }

    /// The path of `target` when it is canonical as it stands (what every ordinary request
    /// sends: `/api/state?…`): `/`, then lower-case steps of letters, digits, `-` and `_`
    /// with no empty step; nil for anything else, which takes the full way.
    private static func alreadyCanonical(_ target: String) -> String? {
        var target = target
        return target.withUTF8 { bytes -> String? in
            guard bytes.first == UInt8(ascii: "/") else { return nil }
            var end = bytes.count
            var previous = UInt8(ascii: "/")
            for index in 1..<bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "?") {
                    end = index
                    break
                }
                let plain =
                    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || (byte == UInt8(ascii: "/") && previous != UInt8(ascii: "/"))
                guard plain else { return nil }
                previous = byte
            }
            if end > 1, previous == UInt8(ascii: "/") { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<end]), as: UTF8.self)
        }
    }

    /// `target` as a log line may show it: the values of secret query parameters replaced by
    /// `redacted`.
    public static func loggable(_ target: String) -> String {
        guard let query = QueryString.rawQuery(of: target) else { return target }
        let pairs = QueryString.pairs(ofRawQuery: query).map { pair -> String in
            guard let (name, _) = QueryString.nameAndValue(ofRawPair: pair), isSecretQueryParameter(name) else { return String(pair) }
            return String(pair.prefix { $0 != "=" }) + "=redacted"
        }
        return QueryString.path(of: target) + "?" + pairs.joined()
    }

    /// A rule's path against a value's: the value is at the rule's path or anywhere under it,
    /// step by step, `*` standing for any key or index, keys compared as `normalizedName`s.
    public static func matches(_ rule: [String], _ path: [String]) -> Bool {
        path.count >= rule.count && zip(rule, path).allSatisfy { $0 == "*" || $0 == $1 || normalizedName($0) == normalizedName($1) }
    }
}
