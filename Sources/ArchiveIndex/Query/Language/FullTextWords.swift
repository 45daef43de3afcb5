import Foundation

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

    /// A word as the index compares it, which is how FTS5's `unicode61` folds it: lower-cased,
    /// diacritics removed (`Café` is `cafe`).
    static func fold(_ word: Substring) -> String {
        word.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
    }

    /// A message's text for PostgreSQL's `to_tsvector('simple', …)`: its words, folded, one
    /// space between them, so that PostgreSQL finds the words FTS5 finds, at the same positions
    /// (PostgreSQL's own parser would keep `ETH/USDC` or `api.aomi.dev` as one word).
    static func searchText(of content: String) -> String {
        words(in: content[...]).map(fold).joined(separator: " ")
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
