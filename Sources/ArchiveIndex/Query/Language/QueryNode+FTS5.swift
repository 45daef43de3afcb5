/// FTS5's query syntax: every word inside a double-quoted string (FTS5's own tokenizer
/// splits it as it split the messages), so no user text is ever read as FTS5 syntax.
/// Exclusions become `NOT` after the parts they exclude from.
struct FTS5Syntax: FullTextSyntax {
    func phrase(_ words: [String], prefix: Bool) -> String {
        "\"" + words.joined(separator: " ").replacingOccurrences(of: "\"", with: "\"\"") + "\"" + (prefix ? "*" : "")
    }

    func all(_ wanted: [String], excluding excluded: [String]) -> String {
        let positive = wanted.count == 1 ? wanted[0] : "(" + wanted.joined(separator: " AND ") + ")"
        return excluded.isEmpty ? positive : "(" + ([positive] + excluded.map { "(\($0))" }).joined(separator: " NOT ") + ")"
    }

    func any(_ parts: [String]) -> String {
        "(" + parts.joined(separator: " OR ") + ")"
    }
}

extension QueryNode {
    /// The FTS5 expression.
    func fts5() throws(QueryProblem) -> String {
        try compiled(to: FTS5Syntax())
    }
}
