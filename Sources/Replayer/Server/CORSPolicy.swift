/// Which browser origins may call the replay: by default pages served from loopback
/// (`http://localhost:*`, `http://127.0.0.1:*`, `http://[::1]:*`), or the origins named
/// with `--cors` (`*` for any).
public enum CORSPolicy: Sendable, Equatable {
    /// Pages served from loopback only (the default).
    case loopback
    /// Any origin (`--cors '*'`).
    case any
    /// Exactly these origins, compared without regard to case.
    case origins([String])

    /// The policy `--cors` values make: none is loopback, `*` among them is any.
    public init(origins: [String]) {
        if origins.isEmpty {
            self = .loopback
        } else if origins.contains("*") {
            self = .any
        } else {
            self = .origins(origins)
        }
    }

    /// The value of `Access-Control-Allow-Origin` for a request from `origin`, or nil.
    public func allowedOrigin(_ origin: String?) -> String? {
        guard let origin, !origin.isEmpty else { return nil }
        switch self {
        case .any: return "*"
        case .loopback: return Self.isLoopback(origin) ? origin : nil
        case let .origins(allowed): return allowed.contains { $0.lowercased() == origin.lowercased() } ? origin : nil
        }
    }

    /// Header fields added to every answer to an allowed origin.
    func responseFields(origin: String?) -> [(String, String)] {
        guard let allowed = allowedOrigin(origin) else { return [] }
        return [("Access-Control-Allow-Origin", allowed), ("Access-Control-Expose-Headers", "X-Aomi-Replay"), ("Vary", "Origin")]
    }

    /// Header fields of the answer to a preflight `OPTIONS`.
    func preflightFields(origin: String?, requestedHeaders: String?) -> [(String, String)]? {
        guard let allowed = allowedOrigin(origin) else { return nil }
        return [
            ("Access-Control-Allow-Origin", allowed), ("Vary", "Origin"),
            ("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS"),
            ("Access-Control-Allow-Headers", requestedHeaders ?? "Content-Type, X-Session-Id, AOMI-APP-KEY, X-API-Key, Accept"),
            ("Access-Control-Max-Age", "600"),
        ]
    }

    private static func isLoopback(_ origin: String) -> Bool {
        let lowered = origin.lowercased()
        return ["http://localhost", "http://127.0.0.1", "http://[::1]", "https://localhost", "https://127.0.0.1"].contains { prefix in
            lowered == prefix || lowered.hasPrefix(prefix + ":")
        }
    }
}
