/// Why a search query cannot be run, said so that a person can fix it: where (the position
/// counts characters from 1) and what to type instead.
enum QueryProblem: Error, Equatable, CustomStringConvertible {
    /// Nothing to look for: empty, or only operators and punctuation (`*`, `-`, `!!!`).
    case nothingToFind
    case unclosedQuote(position: Int)
    case unclosedParenthesis(position: Int)
    case unmatchedParenthesis(position: Int)
    case tooDeep(position: Int)
    case tooLong(characters: Int)
    /// Only `-word`s: an exclusion needs something to exclude from.
    case onlyExclusions
    case exclusionAsAlternative
    case excludedFilter(name: String, position: Int)
    case filterInGroup(name: String, position: Int)
    case badFilter(name: String, value: String, reason: String)
    /// `title:` with nothing after it.
    case emptyFilter(name: String, example: String)

    static let maximumLength = 4_000
    static let maximumDepth = 16

    var description: String {
        switch self {
        case .nothingToFind:
            "nothing to look for: type words (all must match), \"a phrase\", word* for a prefix, -word to exclude, "
                + "OR between alternatives, or a filter such as from:agent, after:7d, wallet:0x…"
        case let .unclosedQuote(position): "the quote at position \(position) is never closed"
        case let .unclosedParenthesis(position): "the parenthesis at position \(position) is never closed"
        case let .unmatchedParenthesis(position): "the closing parenthesis at position \(position) has no opening one"
        case let .tooDeep(position): "parentheses nest deeper than \(Self.maximumDepth) levels at position \(position)"
        case let .tooLong(characters): "the query is \(characters) characters long; at most \(Self.maximumLength) are searched"
        case .onlyExclusions: "-word only excludes: add a word to look for (staking -swap)"
        case .exclusionAsAlternative: "-word cannot be an alternative of OR: exclude outside the alternatives ((eth OR usdc) -swap)"
        case let .excludedFilter(name, position): "\(name): at position \(position) cannot be excluded: name what to keep instead"
        case let .filterInGroup(name, position):
            "\(name): at position \(position) is inside parentheses or OR; filters apply to the whole query, so put it outside"
        case let .badFilter(name, value, reason): "\(name):\(value): \(reason)"
        case let .emptyFilter(name, example): "\(name): needs a value right after the colon (\(name):\(example))"
        }
    }
}
