import Foundation

/// Highlighted excerpts of matched messages, made from the words the query looks for.
///
/// FTS5's own `snippet()` needs the full-text cursor of the match; joining it back to the best
/// rows runs the whole match again for every row, which for a prefix query over a large index
/// cost more than the search itself. The words and prefixes of the query are enough to show
/// why a message matched.
struct SnippetMaker {
    /// A word of the query, or a prefix (`swa*`), case- and accent-folded.
    struct Term: Equatable {
        var text: String
        var isPrefix: Bool
    }

    let terms: [Term]
    let open: String
    let close: String
    /// How many words an excerpt shows.
    var width = 16

    init(words: [(word: String, prefix: Bool)], open: String, close: String) {
        terms = words.map { Term(text: Self.fold($0.word), isPrefix: $0.prefix) }
        self.open = open
        self.close = close
    }

    static func fold(_ word: String) -> String {
        word.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }

    /// The excerpt of `content` (about `width` words) with the most matched words, each
    /// between `open` and `close`, with `…` where text was left out.
    func excerpt(_ content: String) -> String {
        let words = Self.words(in: content)
        guard !words.isEmpty else { return content }
        let matched = words.map { word in
            let folded = Self.fold(String(content[word]))
            return terms.contains { $0.isPrefix ? folded.hasPrefix($0.text) : folded == $0.text }
        }
        var bestStart = 0
        var bestCount = -1
        var count = 0
        for index in words.indices {
            if matched[index] { count += 1 }
            if index >= width, matched[index - width] { count -= 1 }
            let start = max(0, index - width + 1)
            if count > bestCount {
                bestCount = count
                bestStart = start
            }
        }
        if bestCount > 0, let first = matched[bestStart...].firstIndex(of: true), first - bestStart > width / 2 {
            bestStart = max(0, min(first - 2, words.count - width))
        }
        let end = min(words.count, bestStart + width)
        var text = bestStart > 0 ? "…" : ""
        var cursor = bestStart > 0 ? words[bestStart].lowerBound : content.startIndex
        for index in bestStart..<end where matched[index] {
            text += content[cursor..<words[index].lowerBound] + open + content[words[index]] + close
            cursor = words[index].upperBound
        }
        let stop = end < words.count ? words[end - 1].upperBound : content.endIndex
        text += content[cursor..<stop]
        return end < words.count ? text + "…" : text
    }

    /// The ranges of the words of `content` (runs of letters and digits, as FTS5's unicode61 sees them).
    static func words(in content: String) -> [Range<String.Index>] {
        var ranges: [Range<String.Index>] = []
        var start: String.Index?
        var index = content.startIndex
        while index < content.endIndex {
            let character = content[index]
            let isWordCharacter = character.isLetter || character.isNumber || character == "_"
            if isWordCharacter, start == nil { start = index }
            if !isWordCharacter, let wordStart = start {
                ranges.append(wordStart..<index)
                start = nil
            }
            index = content.index(after: index)
        }
        if let wordStart = start { ranges.append(wordStart..<content.endIndex) }
        return ranges
    }
}
