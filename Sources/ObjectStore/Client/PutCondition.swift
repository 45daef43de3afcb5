/// What must hold in the store for a `PUT` to take place: nothing, the object still being the
/// version that was read (`If-Match`), or no object under the key yet (`If-None-Match: *`).
/// A `PUT` whose condition fails changes nothing and is a `StoreError` with `isConflict`.
public enum PutCondition: Sendable, Equatable {
    case none
    /// The object is still the one with this ETag: a rewrite of what was read, which a
    /// rewrite by another process in between makes fail instead of undoing it.
    case replacing(etag: String)
    /// No object has the key yet.
    case creating

    /// The headers of the condition. The ETag goes without quotes: Ceph's RADOS Gateway
    /// (16.2) compares the header's bytes with its unquoted ETag and refuses a quoted one.
    var headers: [(String, String)] {
        switch self {
        case .none: []
        case let .replacing(etag): [("If-Match", etag)]
        case .creating: [("If-None-Match", "*")]
        }
    }
}
