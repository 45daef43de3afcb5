/// Where a PostgreSQL index lives: a `postgres://` (or `postgresql://`) URL as libpq reads it,
/// `postgres://user[:password]@host[:port]/database[?parameters]`.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// The URL as given, password included: only libpq sees it.
    let url: String

    /// Nil when `text` is not a PostgreSQL URL (a path names a SQLite index).
    public init?(_ text: String) {
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") else { return nil }
        url = text
    }

    /// The URL with any password replaced by `***`: what logs and errors show.
    public var description: String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return url }
        let credentials = rest[..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return String(url[..<schemeEnd.upperBound]) + credentials[..<colon] + ":***" + rest[at...]
    }
}
