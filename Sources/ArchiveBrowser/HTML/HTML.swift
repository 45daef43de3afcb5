/// A piece of HTML. Everything interpolated into it is escaped unless it is `HTML` itself, so
/// recorded text (`<img src=x onerror=…>`, `</script>`) can only ever show as text.
public struct HTML: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public private(set) var description: String

    public init(stringLiteral value: String) {
        description = value
    }

    public init(stringInterpolation: StringInterpolation) {
        description = stringInterpolation.text
    }

    init(raw: String) {
        description = raw
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var text = ""

        public init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 16)
        }

        public mutating func appendLiteral(_ literal: String) { text += literal }
        public mutating func appendInterpolation(_ value: String) { text += HTML.escape(value) }
        public mutating func appendInterpolation(_ value: Substring) { text += HTML.escape(String(value)) }
        public mutating func appendInterpolation(_ value: Int) { text += String(value) }
        public mutating func appendInterpolation(_ html: HTML) { text += html.description }
        public mutating func appendInterpolation(_ parts: [HTML]) { for part in parts { text += part.description } }
        public mutating func appendInterpolation(_ value: Double, digits: Int) {
            text += String(format: "%.\(digits)f", value.isFinite ? value : 0)
        }
    }

    /// Text as HTML text or attribute value: `&`, `<`, `>`, quotes, and control characters
    /// other than line breaks and tabs (shown as U+FFFD).
    static func escape(_ text: String) -> String {
        let needsNoEscape = text.utf8.allSatisfy { byte in
            byte >= 0x20 && byte != UInt8(ascii: "&") && byte != UInt8(ascii: "<") && byte != UInt8(ascii: ">") && byte != UInt8(ascii: "\"")
                && byte != UInt8(ascii: "'") && byte != 0x7F && byte != 0xC2
        }
        if needsNoEscape { return text }
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            case "\n", "\t", "\r": escaped.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                    escaped += "\u{FFFD}"
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return escaped
    }

    /// A path segment or query value for a URL (a session id, a wallet, a query): everything
    /// but unreserved characters percent-encoded.
    static func pathSegment(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return encoded
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
