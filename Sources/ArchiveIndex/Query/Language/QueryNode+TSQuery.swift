/// PostgreSQL's `tsquery` syntax, for a `search` column made by `FullTextWords.searchText`:
/// every word folded as that column's words are and quoted as a lexeme (so no user text is
/// read as `tsquery` syntax), phrases as `<->`, prefixes as `:*`, exclusions as `& !`.
struct TSQuerySyntax: FullTextSyntax {
    func phrase(_ words: [String], prefix: Bool) -> String {
        let lexemes = words.map { FullTextWords.fold($0[...]) }.filter { !$0.isEmpty }.map(Self.quotedLexeme)
        guard !lexemes.isEmpty else { return "''" }
        let phrase = lexemes.enumerated().map { $0.offset == lexemes.count - 1 && prefix ? $0.element + ":*" : $0.element }
        return phrase.count == 1 ? phrase[0] : "(" + phrase.joined(separator: " <-> ") + ")"
    }

    func all(_ wanted: [String], excluding excluded: [String]) -> String {
        "(" + (wanted + excluded.map { "!" + $0 }).joined(separator: " & ") + ")"
    }

    func any(_ parts: [String]) -> String {
        "(" + parts.joined(separator: " | ") + ")"
    }

    /// `'word'`, with `'` and `\` escaped as `tsquery` input wants them.
    private static func quotedLexeme(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
    }
}

extension QueryNode {
    /// The PostgreSQL `tsquery`; the same shapes are refused as for FTS5.
    func tsquery() throws(QueryProblem) -> String {
        try compiled(to: TSQuerySyntax())
    }
}
