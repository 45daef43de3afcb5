/// The query of a request target (`/api/chat?message=hi&app=x`), percent-decoded, in order.
public enum QueryString {
    /// The path part of a target, without its query.
    public static func path(of target: String) -> String {
        target.firstIndex(of: "?").map { String(target[..<$0]) } ?? target
    }

    /// The target (path and query) of an absolute URI: `http://host:port/api/state?x=1` →
    /// `/api/state?x=1`. A target passes through unchanged.
    public static func target(ofURI uri: String) -> String {
        // A path without a colon has no scheme to strip: said on its bytes, without Foundation.
        if uri.utf8.first == UInt8(ascii: "/"), !uri.utf8.contains(UInt8(ascii: ":")) { return uri }
        guard let scheme = uri.range(of: "://") else { return uri }
        let rest = uri[scheme.upperBound...]
        return rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? "/"
    }

    /// Scheme and authority of an absolute URI (`http://host:port`), or nil for a target
    /// that is a path.
    public static func origin(ofURI uri: String) -> String? {
        guard !uri.hasPrefix("/"), let scheme = uri.range(of: "://") else { return nil }
        let rest = uri[scheme.upperBound...]
        return String(uri[..<(rest.firstIndex(of: "/") ?? rest.endIndex)])
    }

    /// The raw query of a target, without `?`, or nil.
    public static func rawQuery(of target: String) -> String? {
        target.firstIndex(of: "?").map { String(target[target.index(after: $0)...]) }
    }

    /// Decoded `name=value` pairs; `+` is a space, as form encoding has it.
    public static func parameters(of target: String) -> [(name: String, value: String)] {
        guard let query = rawQuery(of: target), !query.isEmpty else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// The pairs of a raw query as sent, each after the first with the `&` or `;` before it,
    /// so that joining them gives the query back. A `;` counts as a separator here: some
    /// backends split there, so a secret behind one must be found.
    public static func pairs(ofRawQuery query: String) -> [Substring] {
        var pairs: [Substring] = []
        var start = query.startIndex
        for index in query.indices where index != query.startIndex && (query[index] == "&" || query[index] == ";") {
            pairs.append(query[start..<index])
            start = index
        }
        pairs.append(query[start...])
        return pairs
    }

    /// Decoded pairs split at `;` as well as `&` (`pairs(ofRawQuery:)`): where a secret may
    /// hide behind a `;`, so that what is matched and shown finds it.
    public static func parametersSplittingSemicolons(of target: String) -> [(name: String, value: String)] {
        guard let query = rawQuery(of: target), !query.isEmpty else { return [] }
        return pairs(ofRawQuery: query).compactMap { nameAndValue(ofRawPair: $0) }
    }

    /// The decoded name and value of a pair from `pairs(ofRawQuery:)` (its leading separator
    /// dropped); nil for an empty pair.
    public static func nameAndValue(ofRawPair pair: Substring) -> (name: String, value: String)? {
        let bare = pair.first == "&" || pair.first == ";" ? pair.dropFirst() : pair
        guard !bare.isEmpty else { return nil }
        let parts = bare.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
    }

    public static func value(_ name: String, in target: String) -> String? {
        parameters(of: target).first { $0.name == name }?.value
    }

    /// A path percent-decoded (`+` stays a plus: form encoding is for queries only).
    public static func decodePath(_ path: String) -> String {
        decode(Substring(path.split(separator: "+", omittingEmptySubsequences: false).joined(separator: "%2B")))
    }

    static func decode(_ text: Substring) -> String {
        let input = Array(text.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if byte == UInt8(ascii: "%"), index + 2 < input.count, let high = hexValue(input[index + 1]), let low = hexValue(input[index + 2]) {
                bytes.append(high << 4 | low)
                index += 2
            } else {
                bytes.append(byte)
            }
            index += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x37
        case 0x61...0x66: byte - 0x57
        default: nil
        }
    }
}
