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
        if Self.isIPv4WithPort(host) { return true }
        let name = Self.name(of: host).lowercased()
        if name == "localhost" || name.hasSuffix(".localhost") || allowedNames.contains(name) { return true }
        return Self.isIPv4(name) || (host.hasPrefix("[") && name.contains(":"))
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
        return String(host.prefix { $0 != ":" })
    }

    /// `127.0.0.1` or `127.0.0.1:8080`, checked on its bytes: what nearly every request sends,
    /// answered without the character-by-character way below.
    private static func isIPv4WithPort(_ host: String) -> Bool {
        var parts = 0
        var digits = 0
        var value = 0
        var inPort = false
        for byte in host.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits += 1
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                if !inPort, digits > 3 || value > 255 { return false }
                if inPort, digits > 5 { return false }
            case UInt8(ascii: "."):
                guard !inPort, digits > 0 else { return false }
                parts += 1
                (digits, value) = (0, 0)
            case UInt8(ascii: ":"):
                guard !inPort, digits > 0, parts == 3 else { return false }
                inPort = true
                parts += 1
                (digits, value) = (0, 0)
            default:
                return false
            }
        }
        return digits > 0 && (inPort || parts == 3)
    }

    private static func isIPv4(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCIIDigit) && Int(part)! <= 255 }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
