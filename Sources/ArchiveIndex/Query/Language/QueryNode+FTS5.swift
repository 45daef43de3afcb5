extension QueryNode {
    /// The FTS5 expression: every word inside a double-quoted string (FTS5's own tokenizer
    /// splits it as it split the messages), so no user text is ever read as FTS5 syntax.
    /// Exclusions become `NOT` after the parts they exclude from; one with nothing to exclude
    /// from cannot be searched.
    func fts5() throws(QueryProblem) -> String {
        switch self {
        case let .text(words, prefix):
            return "\"" + words.joined(separator: " ").replacingOccurrences(of: "\"", with: "\"\"") + "\"" + (prefix ? "*" : "")
        case let .all(parts):
            var wanted: [String] = []
            var excluded: [String] = []
            for part in parts {
                if case let .not(inner) = part { excluded.append(try inner.fts5()) } else { wanted.append(try part.fts5()) }
            }
            guard !wanted.isEmpty else { throw .onlyExclusions }
            let positive = wanted.count == 1 ? wanted[0] : "(" + wanted.joined(separator: " AND ") + ")"
            return excluded.isEmpty ? positive : "(" + ([positive] + excluded.map { "(\($0))" }).joined(separator: " NOT ") + ")"
        case let .any(parts):
            return "("
                + (try parts.map { part throws(QueryProblem) -> String in
                    if case .not = part { throw .exclusionAsAlternative }
                    return try part.fts5()
                }).joined(separator: " OR ") + ")"
        case .not:
            throw .onlyExclusions
        }
    }
}
