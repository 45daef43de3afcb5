/// How records were captured: the value of `Aomi-Capture` (written only for `crawl`; a
/// record without it was proxied) and of the `capture` key of a crawl's `warcinfo`.
public enum CaptureKind: String, Sendable, CaseIterable {
    /// Through the recording proxy, as a client used the backend.
    case proxy
    /// Pulled by `aomi-archive crawl`.
    case crawl
}
