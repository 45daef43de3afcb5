/// The HTTP/1.1 fields that describe one connection rather than the message (RFC 9110 §7.6.1
/// and the older `Keep-Alive`, `Proxy-Connection`): no hop passes them on, the archive does
/// not store them, a replay does not send them back. Lower-case, as compared.
public enum HopByHop {
    public static let fields: Set<String> = ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authenticate"]

    /// The hop-by-hop fields plus `Content-Length`: what a component that frames the body
    /// itself (the archive, a replay, a fallback) drops and sets anew.
    public static let fieldsAndLength: Set<String> = fields.union(["content-length"])
}
