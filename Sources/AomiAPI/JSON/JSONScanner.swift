/// Finds the byte ranges of a JSON document's parts without decoding them: the values of a
/// top-level object's keys and the elements of an array. Snapshots repeat a thread's whole
/// history every time; scanning lets the indexer decode only the messages that changed, and
/// the replay take one member out of a recorded answer without changing its other bytes.
public struct JSONScanner {
    public let bytes: UnsafeBufferPointer<UInt8>

    public init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The value ranges of a top-level object's keys (keys compared as raw bytes, no escapes).
    /// `knownEnds` gives the end of values already scanned, by where they start.
    public func topLevelValues(for keys: Set<String>, knownEnds: [Int: Int] = [:]) -> [String: Range<Int>]? {
        var index = skipWhitespace(0)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        var found: [String: Range<Int>] = [:]
        while true {
            index = skipWhitespace(index)
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "}") { return found }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "\""), let keyEnd = endOfString(index) else { return nil }
            let key = String(decoding: UnsafeBufferPointer(rebasing: bytes[(index + 1)..<(keyEnd - 1)]), as: UTF8.self)
            index = skipWhitespace(keyEnd)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            let valueStart = skipWhitespace(index + 1)
            guard let valueEnd = knownEnds[valueStart] ?? endOfValue(valueStart) else { return nil }
            if keys.contains(key) { found[key] = valueStart..<valueEnd }
            index = valueEnd
        }
    }

    /// The element ranges of the array at `range`.
    public func elements(of range: Range<Int>) -> [Range<Int>]? {
        guard range.lowerBound < range.upperBound, bytes[range.lowerBound] == UInt8(ascii: "[") else { return nil }
        return remainingElements(from: range.lowerBound + 1, limit: range.upperBound)?.elements
    }

    /// The elements of an array from `start` (just after `[` or after an element) to its `]`,
    /// and the index after that `]`.
    public func remainingElements(from start: Int, limit: Int? = nil) -> (elements: [Range<Int>], end: Int)? {
        let limit = limit ?? bytes.count
        var index = start
        var elements: [Range<Int>] = []
        while true {
            index = skipWhitespace(index)
            guard index < limit else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "]"): return (elements, index + 1)
            case UInt8(ascii: ","): index += 1
            default:
                guard let end = endOfValue(index) else { return nil }
                elements.append(index..<end)
                index = end
            }
        }
    }

    /// Where the value of a top-level key starts (the values before it are skipped, not kept).
    public func valueStart(ofKey wanted: String) -> Int? {
        var index = skipWhitespace(0)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        let wantedBytes = Array(wanted.utf8)
        while true {
            index = skipWhitespace(index)
            guard index < bytes.count, bytes[index] != UInt8(ascii: "}") else { return nil }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "\""), let keyEnd = endOfString(index) else { return nil }
            let isWanted = bytes[(index + 1)..<(keyEnd - 1)].elementsEqual(wantedBytes)
            index = skipWhitespace(keyEnd)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            let valueStart = skipWhitespace(index + 1)
            if isWanted { return valueStart }
            guard let valueEnd = endOfValue(valueStart) else { return nil }
            index = valueEnd
        }
    }

    /// How many bytes `bytes` from `start` and `other` from `otherStart` have in common, eight at a time.
    public func commonLength(from start: Int, with other: UnsafeBufferPointer<UInt8>, from otherStart: Int) -> Int {
        guard start <= bytes.count, otherStart <= other.count, let leftBase = bytes.baseAddress, let rightBase = other.baseAddress else { return 0 }
        let left = leftBase + start
        let right = rightBase + otherStart
        let count = min(bytes.count - start, other.count - otherStart)
        var index = 0
        while index + 8 <= count,
            UnsafeRawPointer(left + index).loadUnaligned(as: UInt64.self) == UnsafeRawPointer(right + index).loadUnaligned(as: UInt64.self)
        {
            index += 8
        }
        while index < count, left[index] == right[index] { index += 1 }
        return index
    }

    /// The value of the JSON string at `range`: its bytes as they are when it has no escapes,
    /// else decoded; nil when it is not a string.
    public func string(_ range: Range<Int>) -> String? {
        guard range.count >= 2, bytes[range.lowerBound] == UInt8(ascii: "\""), bytes[range.upperBound - 1] == UInt8(ascii: "\"") else { return nil }
        let inner = UnsafeBufferPointer(rebasing: bytes[(range.lowerBound + 1)..<(range.upperBound - 1)])
        if !inner.contains(UInt8(ascii: "\\")) { return String(decoding: inner, as: UTF8.self) }
        return try? JSONCoding.decode(String.self, from: UnsafeBufferPointer(rebasing: bytes[range]))
    }

    /// A 64-bit hash of a range's bytes, eight bytes at a time.
    public func hash(_ range: Range<Int>) -> Int64 {
        guard let base = bytes.baseAddress else { return 0 }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(range.count)
        var index = range.lowerBound
        while index + 8 <= range.upperBound {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            hash = (hash ^ word) &* 0x100_0000_01b3
            hash ^= hash >> 29
            index += 8
        }
        while index < range.upperBound {
            hash = (hash ^ UInt64(base[index])) &* 0x100_0000_01b3
            index += 1
        }
        return Int64(bitPattern: hash ^ (hash >> 32))
    }

    private func skipWhitespace(_ start: Int) -> Int {
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return index
            }
        }
        return index
    }

    /// The index after the string starting at `start` (its opening quote).
    private func endOfString(_ start: Int) -> Int? {
        var index = start + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""): return index + 1
            default: index += 1
            }
        }
        return nil
    }

    /// The index after the value starting at `start`.
    private func endOfValue(_ start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return endOfString(start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var index = start
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    guard let end = endOfString(index) else { return nil }
                    index = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return index + 1 }
                default:
                    break
                }
                index += 1
            }
            return nil
        default:
            // A scalar (number, true, false, null) runs to the next delimiter; an empty one (a
            // stray `}` or `]` where a value belongs) is no value, or a caller would not move on.
            var index = start
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D: return index > start ? index : nil
                default: index += 1
                }
            }
            return index
        }
    }
}
