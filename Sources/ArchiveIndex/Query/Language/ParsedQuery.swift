/// A search query in the language people type (Gmail's, Slack's and GitHub's operators),
/// parsed by us and compiled to FTS5; user text only ever reaches FTS5 inside a string we quote.
///
/// | typed | meaning |
/// |---|---|
/// | `staking rewards` | messages holding every word |
/// | `ETH/USDC`, `2,080.55`, `swap!` | words joined by punctuation: as a phrase |
/// | `"gas fee"` | a phrase |
/// | `fee`, `swapped` | also `fees`; `swap`, `swaps`, `swapping` (English inflections) |
/// | `eth OR usdc`, `(eth OR usdc) swap` | alternatives, grouping |
/// | `staking -swap`, `-"gas fee"`, `NOT swap` | exclusion |
/// | `swa*`, `0x4e8b6b50` | a prefix; hex values of 6 digits or more always, and `0x…` also finds the messages of the wallets it begins |
/// | `wallet:0x…` (whole, or its first 6 digits or more), `session:ID`, `from:agent`, `after:7d`, `before:2026-11-01`, `title:swap` | filters |
///
/// `AND`, `OR` and `NOT` are operators only in capitals and between words; `NEAR`, `column:`
/// and the rest are words.
public struct ParsedQuery: Sendable, Equatable {
    /// What to find, nil when only filters were given.
    let node: QueryNode?
    public let filters: QueryFilters

    /// Parses `text`; an empty query, unbalanced quotes or parentheses, a bad filter value or
    /// an exclusion with nothing to exclude from is `IndexError.invalidQuery`, naming the
    /// position and what to type.
    public init(_ text: String) throws(IndexError) {
        do throws(QueryProblem) {
            (node, filters) = try QueryParser.parse(text)
            if let node {
                _ = try node.fts5()
            } else if filters.isEmpty {
                throw QueryProblem.nothingToFind
            }
        } catch {
            throw .invalidQuery(text, reason: error.description)
        }
    }

    /// How the query was understood, in the language's own syntax
    /// (`"eth usdc" staking -swap from:user`).
    public var understood: String {
        ([node?.description].compactMap { $0 } + filters.terms).joined(separator: " ")
    }

    /// The FTS5 expression over the content column (words in their inflections), nil for a
    /// filters-only query.
    public var fts5: String? {
        try? node?.inflected.fts5()
    }

    /// The PostgreSQL `tsquery` over the `search` column (words in their inflections), nil for
    /// a filters-only query.
    public var tsquery: String? {
        try? node?.inflected.tsquery()
    }

    /// A word of the query that may be the start of a wallet address (`0xcbd68b38`, 6 hex
    /// digits or more), standing as a required term at the top of the query: a message of a
    /// wallet it begins matches it too, when it holds the `rest` of the query (nil: nothing else).
    public struct WalletAlternative: Sendable, Equatable {
        public let prefix: String
        let rest: QueryNode?
    }

    public var walletAlternative: WalletAlternative? {
        guard let node else { return nil }
        func walletWord(_ part: QueryNode) -> String? {
            guard case let .text(words, _) = part, words.count == 1 else { return nil }
            return WalletPrefix(words[0])?.value
        }
        if let prefix = walletWord(node) { return WalletAlternative(prefix: prefix, rest: nil) }
        guard case let .all(parts) = node, let index = parts.firstIndex(where: { walletWord($0) != nil }) else { return nil }
        var rest = parts
        rest.remove(at: index)
        guard rest.contains(where: { if case .not = $0 { false } else { true } }) else { return nil }
        return WalletAlternative(prefix: walletWord(parts[index])!, rest: rest.count == 1 ? rest[0] : .all(rest))
    }

    /// Words to highlight in excerpts, inflections included.
    var highlightedWords: [(word: String, prefix: Bool)] {
        node?.inflected.wantedWords ?? []
    }
}
