/// Words as the index's full-text tokenizer (FTS5 `unicode61`) sees them: runs of letters,
/// numbers and private-use characters; everything else (punctuation, symbols, emoji, spaces)
/// separates words. `ETH/USDC` is two words, `2,080.55` three, `swap!` one.
enum FullTextWords {
    static func words(in text: Substring) -> [Substring] {
        var words: [Substring] = []
        var start: String.Index?
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.unicodeScalars.index(after: index)
            if isWordScalar(text.unicodeScalars[index]) {
                if start == nil { start = index }
            } else if let wordStart = start {
                words.append(text[wordStart..<index])
                start = nil
            }
            index = next
        }
        if let wordStart = start { words.append(text[wordStart..<text.endIndex]) }
        return words
    }

    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .decimalNumber, .letterNumber, .otherNumber, .privateUse:
            true
        default:
            false
        }
    }
}
