/// What went wrong with an object store, with what a person needs to act on it: the
/// setting or location at fault, or the operation, the object key, and what the store said
/// (status, S3 error code, its message and request id).
public enum StoreError: Error, Sendable, CustomStringConvertible {
    case invalidLocation(String, reason: String)
    case missingSetting(String)
    case invalidSetting(String, value: String, reason: String)
    /// The store answered with an error.
    case refused(operation: String, key: String, status: Int, code: String?, message: String?, requestID: String?)
    /// The store could not be reached, or did not answer in time.
    case unreachable(operation: String, key: String, reason: String)
    /// What the store holds after an upload is not what was sent.
    case uploadMismatch(key: String, expected: String, found: String)
    /// A local file could not be read.
    case localFile(path: String, reason: String)

    /// Whether trying again later may succeed: the store was unreachable or busy (5xx,
    /// `SlowDown`, 429, a timeout), or an upload did not arrive whole.
    public var isTransient: Bool {
        switch self {
        case .unreachable, .uploadMismatch: true
        case let .refused(_, _, status, code, _, _): status >= 500 || status == 429 || code == "SlowDown" || code == "RequestTimeout"
        default: false
        }
    }

    /// Whether a conditional request failed (`PreconditionFailed`, or a conflicting write in
    /// progress): another writer changed the object since it was read.
    public var isConflict: Bool {
        guard case let .refused(_, _, status, code, _, _) = self else { return false }
        return status == 412 || code == "PreconditionFailed" || code == "ConditionalRequestConflict"
    }

    /// Whether the credentials are wrong or lack the rights asked for.
    public var isCredentialProblem: Bool {
        guard case let .refused(_, _, status, code, _, _) = self else { return false }
        return ["InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "InvalidToken", "ExpiredToken"].contains(code ?? "") || (status == 403 && code == nil)
    }

    public var description: String {
        switch self {
        case let .invalidLocation(text, reason): "\(text) is not an object store location (s3://BUCKET/PREFIX): \(reason)"
        case let .missingSetting(name): "\(name) is not set: an object store needs it"
        case let .invalidSetting(name, value, reason): "\(name)=\(value): \(reason)"
        case let .refused(operation, key, status, code, message, requestID):
            "\(operation) \(key): the store answered \(status)" + (code.map { " \($0)" } ?? "") + (message.map { ": \($0)" } ?? "")
                + (requestID.map { " (request id \($0))" } ?? "")
                + (isConflict ? ": another process wrote the object first (since it was read), and it was left as that process made it. Run this again." : "")
        case let .unreachable(operation, key, reason): "\(operation) \(key): the store could not be reached: \(reason)"
        case let .uploadMismatch(key, expected, found): "\(key): the store holds \(found) after the upload, not \(expected)"
        case let .localFile(path, reason): "\(path): \(reason)"
        }
    }
}
