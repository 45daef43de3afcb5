/// Parses the search language (see `ParsedQuery`) by recursive descent over the characters
/// of the query. Positions in errors count characters from 1.
struct QueryParser {
    private let characters: [Character]
    private var index = 0
    private var depth = 0
    private var filters = QueryFilters()

    private init(_ text: String) {
        characters = Array(text)
    }

    /// The query's words and operators, and its filters.
    static func parse(_ text: String) throws(QueryProblem) -> (node: QueryNode?, filters: QueryFilters) {
        guard text.count <= QueryProblem.maximumLength else { throw .tooLong(characters: text.count) }
        var parser = QueryParser(text)
        let node = try parser.alternatives()
        if parser.index < parser.characters.count { throw .unmatchedParenthesis(position: parser.index + 1) }
        return (node, parser.filters)
    }

    // MARK: Grammar

    /// `all (OR all)*`
    private mutating func alternatives() throws(QueryProblem) -> QueryNode? {
        var parts: [QueryNode] = []
        while true {
            if let part = try allOf() { parts.append(part) }
            skipSpaces()
            guard operatorStandsHere("OR") else { break }
            index += 2
        }
        return parts.count > 1 ? .any(parts) : parts.first
    }

    /// Items one after the other, up to an `OR` between items, the `)` of the group, or the
    /// end. An `AND` between items changes nothing.
    private mutating func allOf() throws(QueryProblem) -> QueryNode? {
        var parts: [QueryNode] = []
        while true {
            skipSpaces()
            guard index < characters.count else { break }
            if characters[index] == ")" {
                if depth > 0 { break }
                if standsAlone(index) { throw .unmatchedParenthesis(position: index + 1) }
            }
            if !parts.isEmpty, operatorStandsHere("OR") { break }
            if !parts.isEmpty, operatorStandsHere("AND") {
                index += 3
                continue
            }
            if let part = try item() { parts.append(part) }
        }
        return parts.count > 1 ? .all(parts) : parts.first
    }

    /// A word, `"phrase"`, `(group)` or `filter:value`, excluded by a leading `-` or `NOT`.
    private mutating func item() throws(QueryProblem) -> QueryNode? {
        let start = index
        var excluded = false
        if characters[index] == "-", index + 1 < characters.count, !characters[index + 1].isWhitespace, characters[index + 1] != ")" {
            excluded = true
            index += 1
        } else if operatorStandsHere("NOT") {
            excluded = true
            index += 3
            skipSpaces()
        }
        if let (name, value) = try filter() {
            if excluded { throw .excludedFilter(name: name, position: start + 1) }
            if depth > 0 { throw .filterInGroup(name: name, position: start + 1) }
            try filters.add(name, value)
            return nil
        }
        let node: QueryNode?
        switch characters[index] {
        case "\"": node = try phrase()
        case "(": node = try group()
        default: node = word()
        }
        guard let node else { return nil }
        return excluded ? .not(node) : node
    }

    private mutating func group() throws(QueryProblem) -> QueryNode? {
        let open = index
        depth += 1
        guard depth <= QueryProblem.maximumDepth else { throw .tooDeep(position: open + 1) }
        index += 1
        let node = try alternatives()
        skipSpaces()
        guard index < characters.count, characters[index] == ")" else { throw .unclosedParenthesis(position: open + 1) }
        index += 1
        depth -= 1
        return node
    }

    private mutating func phrase() throws(QueryProblem) -> QueryNode? {
        let open = index
        guard let close = characters[(open + 1)...].firstIndex(of: "\"") else { throw .unclosedQuote(position: open + 1) }
        index = close + 1
        let prefix = takeStars()
        return text(String(characters[(open + 1)..<close]), prefix: prefix)
    }

    /// A run of characters up to a space (or the `)` of an open group): its words, as a phrase
    /// when punctuation joined them (`ETH/USDC`). Quotes and parentheses inside a run are
    /// punctuation (`don"t`, `f(x)`, `:)`).
    private mutating func word() -> QueryNode? {
        let start = index
        index += 1
        while index < characters.count, !characters[index].isWhitespace, !(characters[index] == ")" && depth > 0) { index += 1 }
        var run = String(characters[start..<index])
        var prefix = false
        while run.hasSuffix("*") {
            run.removeLast()
            prefix = true
        }
        return text(run, prefix: prefix)
    }

    /// `name:value` for a known filter name, the value quoted or up to the next space.
    private mutating func filter() throws(QueryProblem) -> (String, String)? {
        var end = index
        while end < characters.count, characters[end].isLetter { end += 1 }
        guard end < characters.count, characters[end] == ":" else { return nil }
        let name = String(characters[index..<end]).lowercased()
        guard let example = QueryFilters.examples[name] else { return nil }
        guard end + 1 < characters.count, !characters[end + 1].isWhitespace else { throw .emptyFilter(name: name, example: example) }
        var valueStart = end + 1
        var valueEnd: Int
        if characters[valueStart] == "\"" {
            guard let close = characters[(valueStart + 1)...].firstIndex(of: "\"") else { throw .unclosedQuote(position: valueStart + 1) }
            valueStart += 1
            valueEnd = close
            index = close + 1
        } else {
            valueEnd = valueStart
            while valueEnd < characters.count, !characters[valueEnd].isWhitespace, !(characters[valueEnd] == ")" && depth > 0) { valueEnd += 1 }
            index = valueEnd
        }
        return (name, String(characters[valueStart..<valueEnd]))
    }

    // MARK: Pieces

    /// Text to find, or nothing when it holds no word (`*`, `!!!`, an emoji). One word that is
    /// a hex value of 6 digits or more (`0x4e8b6b50`, `a1b2c3d4`) matches as a prefix, since
    /// wallets and explorers show addresses and hashes cut short.
    private func text(_ run: String, prefix: Bool) -> QueryNode? {
        let words = FullTextWords.words(in: run[...]).map(String.init)
        guard !words.isEmpty else { return nil }
        return .text(words: words, prefix: prefix || (words.count == 1 && Self.isHexValue(words[0])))
    }

    static func isHexValue(_ word: String) -> Bool {
        let lower = word.lowercased()
        let digits = lower.hasPrefix("0x") ? lower.dropFirst(2) : lower[...]
        guard digits.count >= 6, digits.allSatisfy(\.isHexDigit) else { return false }
        return lower.hasPrefix("0x") || digits.contains(where: \.isNumber)
    }

    private mutating func takeStars() -> Bool {
        var any = false
        while index < characters.count, characters[index] == "*" {
            index += 1
            any = true
        }
        return any
    }

    private mutating func skipSpaces() {
        while index < characters.count, characters[index].isWhitespace { index += 1 }
    }

    private func standsAlone(_ position: Int) -> Bool {
        (position == 0 || characters[position - 1].isWhitespace) && (position + 1 == characters.count || characters[position + 1].isWhitespace)
    }

    /// Whether the upper-case operator `name` (`OR`, `AND`, `NOT`) stands here as a word of its
    /// own with something after it to apply to; anywhere else it is a word to find.
    private func operatorStandsHere(_ name: String) -> Bool {
        let end = index + name.count
        guard end <= characters.count, String(characters[index..<end]) == name else { return false }
        guard end == characters.count || characters[end].isWhitespace || characters[end] == "(" || characters[end] == "\"" else { return false }
        var after = end
        while after < characters.count, characters[after].isWhitespace { after += 1 }
        return after < characters.count && characters[after] != ")"
    }
}
