/// A search query in the language people type (Gmail's, Slack's and GitHub's operators),
/// parsed by us and compiled to FTS5; user text only ever reaches FTS5 inside a string we quote.
///
/// | typed | meaning |
/// |---|---|
/// | `staking rewards` | messages holding every word |
/// | `ETH/USDC`, `2,080.55`, `swap!` | words joined by punctuation: as a phrase |
/// | `"gas fee"` | a phrase |
/// | `eth OR usdc`, `(eth OR usdc) swap` | alternatives, grouping |
/// | `staking -swap`, `-"gas fee"`, `NOT swap` | exclusion |
/// | `swa*`, `0x4e8b6b50` | a prefix; hex values of 6 digits or more always |
/// | `wallet:0x…`, `session:ID`, `from:agent`, `after:7d`, `before:2026-11-01`, `title:swap` | filters |
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

    /// The FTS5 expression over the content column, nil for a filters-only query.
    public var fts5: String? {
        try? node?.fts5()
    }

    /// The PostgreSQL `tsquery` over the `search` column, nil for a filters-only query.
    public var tsquery: String? {
        try? node?.tsquery()
    }

    /// Words to highlight in excerpts.
    var highlightedWords: [(word: String, prefix: Bool)] {
        node?.wantedWords ?? []
    }
}
