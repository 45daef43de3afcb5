extension BatchLoader {
    /// The method of a request block (its first token).
    static func firstToken(_ block: [UInt8]) -> String? {
        guard let space = block.prefix(16).firstIndex(of: 0x20) else { return nil }
        return String(decoding: block[..<space], as: UTF8.self)
    }

    /// The status code of a response block (`HTTP/1.1 200 OK`).
    static func status(_ block: [UInt8]) -> Int? {
        guard block.count >= 12, block[8] == 0x20 else { return nil }
        var code = 0
        for byte in block[9..<12] {
            guard (0x30...0x39).contains(byte) else { return nil }
            code = code * 10 + Int(byte - 0x30)
        }
        return code
    }

    /// The path of a target URI, without scheme, authority or query.
    static func path(of uri: String) -> String {
        var rest = Substring(uri)
        if let scheme = rest.range(of: "://") {
            rest = rest[scheme.upperBound...]
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
        }
        if let query = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<query] }
        return String(rest)
    }
}
