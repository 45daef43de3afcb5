/// Recorded session ids replaced by the ids the replayed client uses, in bodies and events.
/// Only whole ids are replaced: an id inside a longer one (`rec-1` in `rec-10`) is left. A
/// percent-escape before an id (`%22` in a query) counts as a boundary. Two equal rewrites
/// change any bytes alike.
struct SessionRewrite: Hashable, Sendable {
    private struct Pair: Hashable, Sendable {
        let from: [UInt8]
        let to: [UInt8]
    }

    private var pairs: [Pair] = []

    init(_ map: [(recorded: String, client: String)]) {
        pairs = map.filter { $0.recorded != $0.client && !$0.recorded.isEmpty }.map { Pair(from: Array($0.recorded.utf8), to: Array($0.client.utf8)) }
    }

    var isEmpty: Bool { pairs.isEmpty }

    func apply(_ bytes: [UInt8]) -> [UInt8] {
        var result = bytes
        for pair in pairs { result = Self.replacing(pair.from, with: pair.to, in: result) }
        return result
    }

    private static func replacing(_ pattern: [UInt8], with replacement: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        guard let first = pattern.first, bytes.count >= pattern.count else { return bytes }
        var output: [UInt8] = []
        var index = 0
        var copiedUpTo = 0
        let last = bytes.count - pattern.count
        while index <= last {
            if bytes[index] == first, bytes[index..<(index + pattern.count)].elementsEqual(pattern), Self.startsToken(bytes, at: index),
                index + pattern.count == bytes.count || !Self.isIdentifierByte(bytes[index + pattern.count])
            {
                if output.isEmpty { output.reserveCapacity(bytes.count + 64) }
                output += bytes[copiedUpTo..<index]
                output += replacement
                index += pattern.count
                copiedUpTo = index
            } else {
                index += 1
            }
        }
        guard copiedUpTo > 0 else { return bytes }
        output += bytes[copiedUpTo...]
        return output
    }

    /// Whether a token may start at `index`: nothing of an identifier just before it, or a
    /// percent-escape (`%22`) ending there.
    private static func startsToken(_ bytes: [UInt8], at index: Int) -> Bool {
        guard index > 0, isIdentifierByte(bytes[index - 1]) else { return true }
        return index >= 3 && bytes[index - 3] == UInt8(ascii: "%") && isHexDigit(bytes[index - 2]) && isHexDigit(bytes[index - 1])
    }

    /// Letters, digits, `-` and `_`: what ids are made of.
    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"): true
        default: false
        }
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): true
        default: false
        }
    }
}
