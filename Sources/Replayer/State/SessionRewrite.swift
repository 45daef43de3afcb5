/// Recorded session ids replaced by the ids the replayed client uses, in bodies and events.
struct SessionRewrite: Sendable {
    private var pairs: [(from: [UInt8], to: [UInt8])] = []

    init(_ map: [(recorded: String, client: String)]) {
        pairs = map.filter { $0.recorded != $0.client && !$0.recorded.isEmpty }.map { (Array($0.recorded.utf8), Array($0.client.utf8)) }
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
            if bytes[index] == first, bytes[index..<(index + pattern.count)].elementsEqual(pattern) {
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
}
