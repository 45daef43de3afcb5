import Foundation
import GRDB
import Synchronization

extension SearchRank {
    /// The count `aomi_rank` takes for each phrase of `expression` (the whole FTS5 expression
    /// of a search, filter terms included), in FTS5's order: see `SearchRank`.
    static func counts(of expression: String, query node: QueryNode, in db: Database, cacheKey: String) throws -> [Int64] {
        let groups = node.typedTerms.map { term in term.inflected.alternatives }
        var groupOfPhrase: [String: Int] = [:]
        for (index, alternatives) in groups.enumerated() {
            for alternative in alternatives { groupOfPhrase[FTS5Syntax().phrase(alternative.words, prefix: alternative.prefix)] = index }
        }
        let phrases = FTS5Phrases.list(in: expression)
        guard groups.count > 1 else { return phrases.map { groupOfPhrase[$0] == nil ? -1 : 0 } }
        var vocabulary = try Vocabulary(db, cacheKey: cacheKey)
        var groupCounts: [Int64] = []
        for alternatives in groups {
            var most: Int64 = 0
            for alternative in alternatives { most = max(most, try vocabulary.count(words: alternative.words, prefix: alternative.prefix)) }
            groupCounts.append(most)
        }
        vocabulary.keep()
        return phrases.map { phrase in groupOfPhrase[phrase].map { groupCounts[$0] } ?? -1 }
    }

    /// Document counts read from `temp.messages_vocab`, kept per index until it changes (its
    /// FTS5 averages record, which every added or removed message changes, is the key).
    struct Vocabulary {
        private static let kept = Mutex<(key: String, counts: [String: Int64])>(("", [:]))

        private let db: Database
        private let key: String
        private var counts: [String: Int64]

        init(_ db: Database, cacheKey: String) throws {
            self.db = db
            let averages = try Data.fetchOne(db, sql: "SELECT block FROM messages_fts_data WHERE id = 1") ?? Data()
            let key = cacheKey + ":" + averages.base64EncodedString()
            self.key = key
            counts = Self.kept.withLock { $0.key == key ? $0.counts : [:] }
        }

        /// How many messages hold every word (the least of their counts); the last word
        /// counted as a prefix when `prefix`.
        mutating func count(words: [String], prefix: Bool) throws -> Int64 {
            var least = Int64.max
            for (index, word) in words.enumerated() {
                least = min(least, try count(of: Self.token(word), prefix: prefix && index == words.count - 1))
            }
            return least == .max ? 0 : least
        }

        private mutating func count(of token: String, prefix: Bool) throws -> Int64 {
            let name = prefix ? token + "*" : token
            if let known = counts[name] { return known }
            let found: Int64 =
                prefix
                ? try Int64.fetchOne(
                    db, sql: "SELECT coalesce(sum(doc), 0) FROM (SELECT doc FROM temp.messages_vocab WHERE term >= ? AND term < ? LIMIT ?)",
                    arguments: [token, token + "\u{10FFFF}", SearchRank.prefixCompletions]) ?? 0
                : try Int64.fetchOne(db, sql: "SELECT doc FROM temp.messages_vocab WHERE term = ?", arguments: [token]) ?? 0
            counts[name] = found
            return found
        }

        /// Keeps what was counted for the next search of the same index.
        func keep() {
            Self.kept.withLock { kept in
                if kept.key != key || kept.counts.count < counts.count { kept = (key, counts) }
            }
        }

        /// A word as the `unicode61` tokenizer stores it: lower-case, without diacritics.
        static func token(_ word: String) -> String {
            word.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
        }
    }
}

/// The phrases of an FTS5 expression as we compile them, in the order FTS5 numbers them: a
/// quoted string (with its `*`), or a bare word (a filter term of `SearchScope`).
enum FTS5Phrases {
    static func list(in expression: String) -> [String] {
        let characters = Array(expression.unicodeScalars)
        var phrases: [String] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "\"" {
                var end = index + 1
                while end < characters.count {
                    if characters[end] == "\"" {
                        if end + 1 < characters.count, characters[end + 1] == "\"" {
                            end += 2
                            continue
                        }
                        break
                    }
                    end += 1
                }
                if end + 1 < characters.count, characters[end + 1] == "*" { end += 1 }
                phrases.append(String(String.UnicodeScalarView(characters[index...min(end, characters.count - 1)])))
                index = end + 1
            } else if character == "{" {
                while index < characters.count, characters[index] != "}" { index += 1 }
                index += 1
            } else if character.properties.isAlphabetic || ("0"..."9").contains(character) {
                var end = index
                while end < characters.count, characters[end].properties.isAlphabetic || ("0"..."9").contains(characters[end]) { end += 1 }
                if end < characters.count, characters[end] == "*" { end += 1 }
                let word = String(String.UnicodeScalarView(characters[index..<end]))
                if !["AND", "OR", "NOT"].contains(word) { phrases.append(word) }
                index = end
            } else {
                index += 1
            }
        }
        return phrases
    }
}

extension QueryNode {
    /// The words, phrases and prefixes the user typed that a match must or may hold (not the
    /// excluded ones): what weighs in the rank.
    var typedTerms: [QueryNode] {
        switch self {
        case .text: [self]
        case let .all(parts), let .any(parts): parts.flatMap(\.typedTerms)
        case .not: []
        }
    }

    /// The phrases an inflected term stands for.
    var alternatives: [(words: [String], prefix: Bool)] {
        switch self {
        case let .text(words, prefix): [(words, prefix)]
        case let .any(parts): parts.flatMap(\.alternatives)
        case .all, .not: []
        }
    }
}
