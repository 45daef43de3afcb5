import AomiAPI
import AomiArchive

/// Every string value of a JSON document with where it stands (its path of object keys and
/// array indexes) and where its literal lies in the bytes: what redaction needs to replace a
/// secret however the client spelled it (escapes such as `\/` or `\u0052`) and wherever a
/// key repeats (each occurrence is its own span).
struct JSONStringSpans {
    struct Span {
        var path: [String]
        /// The literal, quotes included.
        var range: Range<Int>
        var value: String
    }

    private(set) var spans: [Span] = []
    private let bytes: [UInt8]
    private static let maxDepth = 256

    /// nil when `bytes` is not one JSON document (or nests deeper than any request should).
    init?(_ bytes: [UInt8]) {
        self.bytes = bytes
        var index = 0
        guard scanValue(at: &index, path: [], depth: 0) else { return nil }
        skipSpace(&index)
        guard index == bytes.count else { return nil }
    }

    private mutating func scanValue(at index: inout Int, path: [String], depth: Int) -> Bool {
        guard depth < Self.maxDepth else { return false }
        skipSpace(&index)
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            skipSpace(&index)
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return true
            }
            while true {
                skipSpace(&index)
                guard let key = scanString(at: &index) else { return false }
                skipSpace(&index)
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
                index += 1
                guard scanValue(at: &index, path: path + [key.value], depth: depth + 1) else { return false }
                skipSpace(&index)
                guard index < bytes.count else { return false }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard bytes[index] == UInt8(ascii: "}") else { return false }
                index += 1
                return true
            }
        case UInt8(ascii: "["):
            index += 1
            skipSpace(&index)
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return true
            }
            var position = 0
            while true {
                guard scanValue(at: &index, path: path + [String(position)], depth: depth + 1) else { return false }
                position += 1
                skipSpace(&index)
                guard index < bytes.count else { return false }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard bytes[index] == UInt8(ascii: "]") else { return false }
                index += 1
                return true
            }
        case UInt8(ascii: "\""):
            guard let string = scanString(at: &index) else { return false }
            spans.append(Span(path: path, range: string.range, value: string.value))
            return true
        default:
            let start = index
            while index < bytes.count, !Self.ends(bytes[index]) { index += 1 }
            return index > start
        }
    }

    /// A string literal at `index`, decoded (escapes resolved).
    private func scanString(at index: inout Int) -> (value: String, range: Range<Int>)? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        let start = index
        var escaped = false
        index += 1
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            if bytes[index] == UInt8(ascii: "\\") {
                escaped = true
                index += 1
            }
            index += 1
        }
        guard index < bytes.count else { return nil }
        index += 1
        let literal = Array(bytes[start..<index])
        if !escaped { return (String(decoding: literal.dropFirst().dropLast(), as: UTF8.self), start..<index) }
        guard let value = try? JSONCoding.decode([String].self, from: [UInt8(ascii: "[")] + literal + [UInt8(ascii: "]")]).first else { return nil }
        return (value, start..<index)
    }

    private func skipSpace(_ index: inout Int) {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private static func ends(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") || [0x20, 0x09, 0x0A, 0x0D].contains(byte)
    }
}
