import AomiAPI
import NIOHTTP1

/// The checks a request head passes before the proxy reads on: the limits on its head and
/// body, and the forms of request a reverse proxy does not forward.
enum RequestAdmission {
    /// Why a request is answered at once instead of forwarded.
    struct Refusal {
        var error: APIError
        /// Whether the connection closes after the answer (what follows cannot be read on from).
        var closesConnection: Bool
    }

    /// The refusal of `head` (431, 413, 405 for `CONNECT`, 400 for `*`), or nil when it may go on.
    static func refusal(of head: HTTPRequestHead, configuration: RecorderConfiguration) -> Refusal? {
        let headBytes = ProxyHeaders.size(of: head)
        if headBytes > configuration.maxHeaderBytes {
            return Refusal(error: APIError(status: 431, "request head of \(headBytes) bytes is over the limit of \(configuration.maxHeaderBytes) bytes"), closesConnection: false)
        }
        if let length = head.headers["content-length"].first.flatMap(Int.init), length > configuration.maxRequestBodyBytes {
            return Refusal(error: APIError(status: 413, "request body over \(configuration.maxRequestBodyBytes) bytes"), closesConnection: true)
        }
        if head.method == .CONNECT || head.uri == "*" {
            return Refusal(
                error: APIError(
                    status: head.method == .CONNECT ? 405 : 400,
                    "\(head.method.rawValue) \(head.uri.prefix(100)) is not forwarded: this is a reverse proxy for \(configuration.upstream)"),
                closesConnection: true)
        }
        return nil
    }
}
