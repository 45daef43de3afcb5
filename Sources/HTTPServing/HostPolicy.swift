/// Which `Host` a server answers, against DNS rebinding: a page on `evil.example` whose name
/// is made to resolve to 127.0.0.1 reaches a loopback server with `Host: evil.example:PORT`,
/// and the browser lets that page read the answers as its own. A server answers only Hosts
/// that name it without a DNS name a stranger controls: an IP address, `localhost` (and names
/// under `.localhost`, which browsers resolve to loopback themselves), or a name allowed with
/// `--allow-host`. A request without `Host` (HTTP/1.0, not a browser) is answered.
public struct HostPolicy: Sendable {
    /// Names allowed besides addresses and `localhost`, lower-case, without a port.
    public let allowedNames: Set<String>

    public init(allowing names: [String] = []) {
        allowedNames = Set(names.map { $0.lowercased() })
    }

    /// Whether a request with this `Host` field value is answered.
    public func allows(_ host: String?) -> Bool {
        guard let host, !host.isEmpty else { return true }
        let name = Self.name(of: host)
        if Self.isIPv4(name) { return true }
        let lowered = name.lowercased()
        if lowered == "localhost" || lowered.hasSuffix(".localhost") || allowedNames.contains(lowered) { return true }
        return host.hasPrefix("[") && name.contains(":")
    }

    /// What the refused client (and the log) is told.
    public func refusal(_ host: String) -> String {
        let name = Self.name(of: String(host.prefix(200)))
        return "Host \(name) does not name this server (a page may be using a DNS name that resolves to it): "
            + "use an IP address or localhost, or start the server with --allow-host \(name)"
    }

    /// The host part of a `Host` value: without the port, an IPv6 address without brackets.
    static func name(of host: String) -> String {
        if host.hasPrefix("[") {
            return String(host.dropFirst().prefix { $0 != "]" })
        }
        return String(host[..<(host.utf8.firstIndex(of: UInt8(ascii: ":")) ?? host.endIndex)])
    }

    /// Four dot-separated numbers of 1 to 3 digits, each at most 255, checked on the bytes:
    /// what nearly every request's `Host` is, answered without a character-by-character pass.
    private static func isIPv4(_ name: String) -> Bool {
        var parts = 1
        var digits = 0
        var value = 0
        for byte in name.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0 else { return false }
                parts += 1
                (digits, value) = (0, 0)
            } else if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                digits += 1
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                guard digits <= 3, value <= 255 else { return false }
            } else {
                return false
            }
        }
        return parts == 4 && digits > 0
    }
}
