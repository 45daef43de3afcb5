/// English inflections of a searched word, so that `fee` finds "fees", `swap` finds "swapped"
/// and "swapping", and `swapped` finds "swap": people do not type the inflection the message
/// used. Regular forms only (plural `-s`/`-es`/`-ies`, past `-ed`/`-ied` with a doubled
/// final consonant, `-ing`), made from the word's likely base. The forms are searched as
/// alternatives of the word on both stores, so FTS5 and PostgreSQL find the same messages;
/// a form that is no English word finds nothing and costs nothing.
enum Inflections {
    /// Words shorter than this, and words with anything but ASCII letters, are searched as typed.
    static let shortestInflected = 3

    /// The word itself first, then its other forms, lower-cased, without repeats.
    static func forms(of word: String) -> [String] {
        let lower = word.lowercased()
        guard lower.count >= shortestInflected, !functionWords.contains(lower), lower.utf8.allSatisfy({ (0x61...0x7A).contains($0) }) else {
            return [lower]
        }
        var forms = [lower]
        let derived = bases(of: lower)
        for base in derived.isEmpty ? [lower] : derived {
            for form in [base, plural(of: base), past(of: base), presentParticiple(of: base)].compactMap({ $0 }) where !forms.contains(form) {
                forms.append(form)
            }
        }
        return forms
    }

    /// The bases `word` may be an inflection of (`swapped`: `swap`, `swappe`), empty when it
    /// looks like a base itself.
    static func bases(of word: String) -> [String] {
        var bases: [String] = []
        func add(_ base: String) {
            if base.count >= shortestInflected, base != word, !bases.contains(base) { bases.append(base) }
        }
        if word.hasSuffix("ies") {
            add(String(word.dropLast(3)) + "y")
        } else if word.hasSuffix("es"), ["s", "x", "z", "ch", "sh"].contains(where: { word.dropLast(2).hasSuffix($0) }) {
            add(String(word.dropLast(2)))
        } else if word.hasSuffix("s"), !word.hasSuffix("ss"), !word.hasSuffix("us"), !word.hasSuffix("is") {
            add(String(word.dropLast()))
        }
        if word.hasSuffix("ied") {
            add(String(word.dropLast(3)) + "y")
        } else if word.hasSuffix("ed"), !word.hasSuffix("eed") {
            let stem = String(word.dropLast(2))
            add(undoubled(stem))
            add(stem + "e")
        }
        if word.hasSuffix("ing"), word.count > 5 {
            let stem = String(word.dropLast(3))
            add(undoubled(stem))
            add(stem + "e")
        }
        return bases
    }

    static func plural(of base: String) -> String {
        if endsInConsonantY(base) { return String(base.dropLast()) + "ies" }
        if ["s", "x", "z", "ch", "sh"].contains(where: base.hasSuffix) { return base + "es" }
        return base + "s"
    }

    /// Nil for words ending in `ee` (`fee` has no past "feed").
    static func past(of base: String) -> String? {
        if base.hasSuffix("ee") { return nil }
        if base.hasSuffix("e") { return base + "d" }
        if endsInConsonantY(base) { return String(base.dropLast()) + "ied" }
        return (doublesFinalConsonant(base) ? base + String(base.last!) : base) + "ed"
    }

    static func presentParticiple(of base: String) -> String? {
        if base.hasSuffix("ee") { return nil }
        if base.hasSuffix("ie") { return String(base.dropLast(2)) + "ying" }
        if base.hasSuffix("e") { return String(base.dropLast()) + "ing" }
        return (doublesFinalConsonant(base) ? base + String(base.last!) : base) + "ing"
    }

    /// Words that have no inflections worth finding (`the` would find "thing").
    static let functionWords: Set<String> = [
        "the", "and", "for", "are", "was", "were", "you", "not", "but", "his", "her", "its", "our", "has", "had", "can", "any", "all", "one", "how",
        "why", "who", "what", "this", "that", "with", "from", "into", "your", "they", "them", "then", "than", "there", "these", "those", "will",
        "would", "should", "could", "been", "being", "does", "did", "have", "she", "him", "out", "off", "via", "per",
    ]

    private static let vowels: Set<Character> = ["a", "e", "i", "o", "u"]

    private static func endsInConsonantY(_ word: String) -> Bool {
        word.count >= 2 && word.hasSuffix("y") && !vowels.contains(word[word.index(word.endIndex, offsetBy: -2)])
    }

    /// One syllable ending consonant-vowel-consonant (`swap`, `stop`), not `w`, `x` or `y`.
    private static func doublesFinalConsonant(_ word: String) -> Bool {
        let letters = Array(word)
        guard letters.count >= 3, letters.count <= 5, let last = letters.last, !vowels.contains(last), !"wxy".contains(last) else { return false }
        let middle = letters[letters.count - 2]
        let before = letters[letters.count - 3]
        guard vowels.contains(middle), !vowels.contains(before) else { return false }
        return letters.dropLast(2).filter { vowels.contains($0) }.isEmpty
    }

    /// `swapp` → `swap`: a stem whose last two letters are the same consonant.
    private static func undoubled(_ stem: String) -> String {
        let letters = Array(stem)
        guard letters.count >= 4, let last = letters.last, last == letters[letters.count - 2], !vowels.contains(last), !"sl".contains(last) else {
            return stem
        }
        return String(letters.dropLast())
    }
}
