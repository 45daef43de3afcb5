import AomiAPI

/// Search queries for the query-language fuzz target: pieces of the language (words,
/// punctuation-joined words, phrases, `OR`/`AND`/`NOT`, exclusions, prefixes, groups, every
/// filter) with good and hostile values (times past any calendar, hex of every length, deep
/// nesting, long runs, control characters, NUL, scripts other than Latin), joined at random.
/// Query N of a seed is always the same text.
struct QueryMutator {
    let seed: UInt64

    private static let words = ["eth", "ETH", "swap", "usdc", "gas", "fee", "Gas", "staking", "price", "Café", "naïve", "über", "ETH/USDC", "2,080.55", "don't", "api.aomi.dev"]
    private static let operators = ["OR", "AND", "NOT", "or", "-", "*", "\"", "(", ")", "NEAR", "column:", ":", "^", "+", "~", "'", ";", "--", "/*", "\\"]
    private static let filters = ["wallet:", "session:", "from:", "after:", "before:", "title:", "WALLET:", "to:", "-from:"]
    private static let values = [
        "0x" + String(repeating: "ab", count: 20), "0x4e8b6b50", "0x12", "user", "agent", "system", "bot", "7d", "30m", "24h", "2w",
        "99999999999d", "1e308w", "-1d", "nand", "infs", "1e9d", "2026-11-26", "2026-13-45", "9999-12-31T23:59:59Z", "0001-01-01",
        "10000-01-01", "", "3cc70177-efbf-46b8-8458-00efed327938", "%", "\"", "*",
    ]
    private static let oddities = ["\u{0}", "\u{7}", "\u{1F680}", "\u{202E}", "\u{FEFF}", "\u{301}", "𝔘", "中文", "العربية", "\t", "\n", " ", "  "]

    /// Query `index` of this seed.
    func query(_ index: UInt64) -> String {
        var random = SeededRandom(seed: seed, index: index)
        var parts: [String] = []
        let count = Int(random.next() % 12) + 1
        for _ in 0..<count {
            switch random.next() % 10 {
            case 0...2: parts.append(pick(Self.words, &random))
            case 3...4: parts.append(pick(Self.operators, &random))
            case 5...6: parts.append(pick(Self.filters, &random) + pick(Self.values, &random))
            case 7: parts.append(pick(Self.oddities, &random))
            case 8: parts.append(String(repeating: pick(["(", "\"", "a ", "-", "*", "x"], &random), count: Int(random.next() % 40) + 1))
            default: parts.append(pick(Self.words, &random) + pick(["*", "\"", ")", "(", "-", ":"], &random))
            }
        }
        let separator = random.next() % 4 == 0 ? "" : " "
        return parts.joined(separator: separator)
    }

    private func pick(_ choices: [String], _ random: inout SeededRandom) -> String {
        choices[Int(random.next() % UInt64(choices.count))]
    }
}
