extension QueryNode {
    /// At most this many phrases stand for one phrase with inflected words (`"gas fee"` is
    /// `"gas fee"`, `"gas fees"`, `"gases fee"`…); beyond it the first words are kept as typed.
    static let mostInflectedPhrases = 16

    /// The query with every word that is not a prefix searched in its English inflections as
    /// well (`Inflections`): a word becomes the alternatives of its forms, a phrase the
    /// alternatives of its phrases.
    var inflected: QueryNode {
        switch self {
        case let .text(words, prefix):
            let choices = words.enumerated().map { index, word in
                prefix && index == words.count - 1 ? [word] : Inflections.forms(of: word)
            }
            let phrases = Self.phrases(from: choices)
            return phrases.count == 1 ? .text(words: phrases[0], prefix: prefix) : .any(phrases.map { .text(words: $0, prefix: prefix) })
        case let .all(parts): return .all(parts.map(\.inflected))
        case let .any(parts): return .any(parts.map(\.inflected))
        case let .not(part): return .not(part.inflected)
        }
    }

    /// Every phrase taking one form per word, the last words' forms first when there would be
    /// more than `mostInflectedPhrases`.
    private static func phrases(from choices: [[String]]) -> [[String]] {
        var kept = choices.map { [$0[0]] }
        var count = 1
        for index in choices.indices.reversed() where count * choices[index].count <= mostInflectedPhrases {
            kept[index] = choices[index]
            count *= choices[index].count
        }
        return kept.reduce([[]]) { phrases, forms in phrases.flatMap { phrase in forms.map { phrase + [$0] } } }
    }
}
