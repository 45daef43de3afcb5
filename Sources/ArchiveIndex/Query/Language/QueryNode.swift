/// A search as the query language understood it, before filters: words, phrases and
/// prefixes combined by all-of, any-of and exclusion.
indirect enum QueryNode: Equatable, Sendable {
    /// Text to find: one word, or words that must follow each other (a quoted phrase, or words
    /// the user joined with punctuation such as `ETH/USDC`). `prefix` matches the last word's
    /// beginning (`swa*`, and hex values such as `0x4e8b6b50`).
    case text(words: [String], prefix: Bool)
    /// Every part must match.
    case all([QueryNode])
    /// At least one part must match.
    case any([QueryNode])
    /// The part must not match (within the all-of around it).
    case not(QueryNode)

    /// The words to find that the user did not exclude, with whether each is a prefix (for
    /// highlighting excerpts).
    var wantedWords: [(word: String, prefix: Bool)] {
        switch self {
        case let .text(words, prefix): words.enumerated().map { ($0.element, prefix && $0.offset == words.count - 1) }
        case let .all(parts), let .any(parts): parts.flatMap(\.wantedWords)
        case .not: []
        }
    }
}

extension QueryNode: CustomStringConvertible {
    /// The query as understood, in the language's own syntax: `"eth usdc" staking -swap`.
    var description: String {
        switch self {
        case let .text(words, prefix):
            let joined = words.joined(separator: " ")
            return (words.count == 1 ? joined : "\"\(joined)\"") + (prefix ? "*" : "")
        case let .all(parts):
            return parts.map { part in
                if case .any = part { return "(\(part))" }
                return part.description
            }.joined(separator: " ")
        case let .any(parts):
            return parts.map { part in
                if case .all = part { return "(\(part))" }
                return part.description
            }.joined(separator: " OR ")
        case let .not(part):
            if case .text = part { return "-" + part.description }
            return "-(\(part))"
        }
    }
}
