import Foundation
import NIOCore
import NIOPosix

/// A TCP connection to a backend's address before any request, so that a wrong URL or a
/// stopped backend is said at once and in words ("nothing listens at 127.0.0.1:1"), instead
/// of after the HTTP client's retries run out with a socket error.
public enum BackendReachability {
    /// Connects to the host and port of `url` and closes again; `option` names where the URL
    /// came from (`--target`) in the error.
    public static func check(_ url: String, option: String, timeout: Duration = .seconds(5)) async throws(AomiClientError) {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = parsed.host, !host.isEmpty
        else {
            throw AomiClientError(message: "\(option) \(url) is not an http:// or https:// URL (http://127.0.0.1:8787)")
        }
        let port = parsed.port ?? (scheme == "https" ? 443 : 80)
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(TimeAmount(timeout))
                .connect(host: host, port: port).get()
            try? await channel.close()
        } catch {
            throw AomiClientError(message: "\(option) \(url): \(reason(error, host: host, port: port, timeout: timeout))")
        }
    }

    private static func reason(_ error: any Error, host: String, port: Int, timeout: Duration) -> String {
        let causes = (error as? NIOConnectionError).map { $0.connectionErrors.map(\.error) } ?? [error]
        let codes = causes.compactMap { ($0 as? IOError)?.errnoCode }
        if codes.contains(ECONNREFUSED) { return "nothing listens at \(host):\(port) (connection refused); start the backend there, or check the URL" }
        if causes.contains(where: { ($0 as? ChannelError) == .connectTimeout(TimeAmount(timeout)) }) || codes.contains(ETIMEDOUT) {
            return "\(host):\(port) did not answer within \(timeout) (a firewall, or a host that is down)"
        }
        if error is NIOConnectionError, causes.isEmpty || (error as? NIOConnectionError)?.dnsAAAAError != nil || (error as? NIOConnectionError)?.dnsAError != nil {
            return "the name \(host) cannot be resolved"
        }
        if let code = codes.first { return "cannot connect to \(host):\(port): \(String(cString: strerror(code)))" }
        return "cannot connect to \(host):\(port): \(error)"
    }
}
