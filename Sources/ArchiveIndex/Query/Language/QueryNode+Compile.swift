/// How one full-text engine spells a query: FTS5 (`QueryNode+FTS5.swift`) or PostgreSQL's
/// `tsquery` (`QueryNode+TSQuery.swift`). The walk over the query, and the shapes refused
/// for both, are `QueryNode.compiled(to:)`'s.
protocol FullTextSyntax {
    /// Words that must follow each other (one word is a phrase of one), the last a prefix.
    func phrase(_ words: [String], prefix: Bool) -> String
    /// Every part of `wanted`, and none of `excluded`; `wanted` is never empty.
    func all(_ wanted: [String], excluding excluded: [String]) -> String
    /// At least one of the parts.
    func any(_ parts: [String]) -> String
}

extension QueryNode {
    /// The query in `syntax`. Exclusions apply to the parts of the all-of around them; one with
    /// nothing to exclude from, or offered as an alternative, cannot be searched.
    func compiled(to syntax: some FullTextSyntax) throws(QueryProblem) -> String {
        switch self {
        case let .text(words, prefix):
            return syntax.phrase(words, prefix: prefix)
        case let .all(parts):
            var wanted: [String] = []
            var excluded: [String] = []
            for part in parts {
                if case let .not(inner) = part {
                    excluded.append(try inner.compiled(to: syntax))
                } else {
                    wanted.append(try part.compiled(to: syntax))
                }
            }
            guard !wanted.isEmpty else { throw .onlyExclusions }
            return syntax.all(wanted, excluding: excluded)
        case let .any(parts):
            return syntax.any(
                try parts.map { part throws(QueryProblem) -> String in
                    if case .not = part { throw .exclusionAsAlternative }
                    return try part.compiled(to: syntax)
                })
        case .not:
            throw .onlyExclusions
        }
    }
}
