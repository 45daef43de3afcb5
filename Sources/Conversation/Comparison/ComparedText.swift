/// Text as the comparison sees it: runs of white space made one space, and what differs on
/// every run by design (transaction hashes and signatures, which the user's client makes
/// fresh; the session ids) masked.
struct ComparedText {
    /// Strings replaced by a placeholder wherever they occur.
    var masks: [(text: String, placeholder: String)]

    func normalise(_ text: String) -> String {
        var result = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for mask in masks where !mask.text.isEmpty {
            result = result.replacingOccurrences(of: mask.text, with: mask.placeholder)
        }
        return Self.maskingLongHex(result)
    }

    /// `0x` and 64 hex digits or more (a transaction hash, a signature) become `0x<hash>`:
    /// a backend that echoes the proof it was sent echoes a different one on every run.
    static func maskingLongHex(_ text: String) -> String {
        var output = ""
        var characters = text[...]
        while let start = characters.range(of: "0x") {
            output += characters[..<start.lowerBound]
            let digits = characters[start.upperBound...].prefix { $0.isHexDigit }
            if digits.count >= 64 {
                output += "0x<hash>"
            } else {
                output += "0x" + digits
            }
            characters = characters[start.upperBound...].dropFirst(digits.count)
        }
        return output + characters
    }
}
