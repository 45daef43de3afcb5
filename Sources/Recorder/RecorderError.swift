/// Why the recorder could not do its work; each case names what a person must fix.
public enum RecorderError: Error, Sendable, CustomStringConvertible {
    case badKeyFile(path: String, reason: String)
    case badRedactionPath(String)
    case invalidUpstream(String, reason: String)

    public var description: String {
        switch self {
        case let .badKeyFile(path, reason): return "redaction key file \(path): \(reason)"
        case let .badRedactionPath(path): return "redaction JSON path \(path) is not of the form a.b.c (with * for any key)"
        case let .invalidUpstream(url, reason): return "upstream \(url): \(reason) (expected http://HOST[:PORT] or https://HOST[:PORT])"
        }
    }
}
