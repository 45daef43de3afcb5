/// A word diff of two texts, as `git diff --word-diff=plain` writes one: words only in the
/// first are `[-so-]`, words only in the second `{+so+}`, the rest as they are.
public enum WordDiff {
    /// Longest texts diffed word by word; longer ones are shown as one replacement.
    static let maximumWords = 4_000

    public static func render(_ original: String, _ changed: String) -> String {
        let old = original.split(whereSeparator: \.isWhitespace).map(String.init)
        let new = changed.split(whereSeparator: \.isWhitespace).map(String.init)
        guard old.count <= maximumWords, new.count <= maximumWords, old.count * new.count <= 4_000_000 else {
            return "[-\(old.joined(separator: " "))-] {+\(new.joined(separator: " "))+}"
        }
        return join(operations(old, new))
    }

    private enum Operation {
        case same(String)
        case removed(String)
        case added(String)
    }

    /// The edit script of a longest common subsequence.
    private static func operations(_ old: [String], _ new: [String]) -> [Operation] {
        var lengths = [[Int]](repeating: [Int](repeating: 0, count: new.count + 1), count: old.count + 1)
        for i in stride(from: old.count - 1, through: 0, by: -1) {
            for j in stride(from: new.count - 1, through: 0, by: -1) {
                lengths[i][j] = old[i] == new[j] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
            }
        }
        var result: [Operation] = []
        var i = 0
        var j = 0
        while i < old.count || j < new.count {
            if i < old.count, j < new.count, old[i] == new[j] {
                result.append(.same(old[i]))
                i += 1
                j += 1
            } else if j < new.count, i == old.count || lengths[i][j + 1] >= lengths[i + 1][j] {
                result.append(.added(new[j]))
                j += 1
            } else {
                result.append(.removed(old[i]))
                i += 1
            }
        }
        return result
    }

    /// Runs of removed and added words grouped, removals first.
    private static func join(_ operations: [Operation]) -> String {
        var parts: [String] = []
        var removed: [String] = []
        var added: [String] = []
        func flush() {
            if !removed.isEmpty { parts.append("[-" + removed.joined(separator: " ") + "-]") }
            if !added.isEmpty { parts.append("{+" + added.joined(separator: " ") + "+}") }
            removed = []
            added = []
        }
        for operation in operations {
            switch operation {
            case let .same(word):
                flush()
                parts.append(word)
            case let .removed(word): removed.append(word)
            case let .added(word): added.append(word)
            }
        }
        flush()
        return parts.joined(separator: " ")
    }
}
