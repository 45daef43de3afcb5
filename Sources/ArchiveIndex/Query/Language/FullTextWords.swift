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
    /// (PostgreSQL's own parser would keep `ETH/USDC` or `api.aomi.dev` as one word). ASCII
    /// words are lower-cased byte by byte; only a word with other letters goes through
    /// Foundation's folding (which took a third of a PostgreSQL load when every word did).
    static func searchText(of content: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(content.utf8.count)
        var wordStart: String.Index?
        var asciiWord = true
        func endWord(at end: String.Index) {
            guard let start = wordStart else { return }
            if !output.isEmpty { output.append(0x20) }
            if asciiWord {
                output.append(contentsOf: content.utf8[start..<end].lazy.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 })
            } else {
                output.append(contentsOf: fold(content[start..<end]).utf8)
            }
            wordStart = nil
            asciiWord = true
        }
        var index = content.startIndex
        let scalars = content.unicodeScalars
        while index < content.endIndex {
            let scalar = scalars[index]
            let isWord: Bool
            if scalar.isASCII {
                let byte = UInt8(scalar.value)
                isWord = (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            } else {
                isWord = isWordScalar(scalar)
            }
            if isWord {
                if wordStart == nil { wordStart = index }
                if !scalar.isASCII { asciiWord = false }
            } else {
                endWord(at: index)
            }
            index = scalars.index(after: index)
        }
        endWord(at: content.endIndex)
        return String(decoding: output, as: UTF8.self)
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
