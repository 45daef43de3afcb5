extension QueryNode {
    /// The PostgreSQL `tsquery`, for a `search` column made by `FullTextWords.searchText`:
    /// every word folded as that column's words are and quoted as a lexeme (so no user text is
    /// read as `tsquery` syntax), phrases as `<->`, prefixes as `:*`, exclusions as `& !`
    /// after the parts they exclude from. The same shapes are refused as for FTS5.
    func tsquery() throws(QueryProblem) -> String {
        switch self {
        case let .text(words, prefix):
            let lexemes = words.map { FullTextWords.fold($0[...]) }.filter { !$0.isEmpty }.map(Self.quotedLexeme)
            guard !lexemes.isEmpty else { return "''" }
            let phrase = lexemes.enumerated().map { $0.offset == lexemes.count - 1 && prefix ? $0.element + ":*" : $0.element }
            return phrase.count == 1 ? phrase[0] : "(" + phrase.joined(separator: " <-> ") + ")"
        case let .all(parts):
            var wanted: [String] = []
            var excluded: [String] = []
            for part in parts {
                if case let .not(inner) = part { excluded.append(try inner.tsquery()) } else { wanted.append(try part.tsquery()) }
            }
            guard !wanted.isEmpty else { throw .onlyExclusions }
            return "(" + (wanted + excluded.map { "!" + $0 }).joined(separator: " & ") + ")"
        case let .any(parts):
            return "("
                + (try parts.map { part throws(QueryProblem) -> String in
                    if case .not = part { throw .exclusionAsAlternative }
                    return try part.tsquery()
                }).joined(separator: " | ") + ")"
        case .not:
            throw .onlyExclusions
        }
    }

    /// `'word'`, with `'` and `\` escaped as `tsquery` input wants them.
    private static func quotedLexeme(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
    }
}
