/// A word diff of two texts, as `git diff --word-diff=plain` writes one: words only in the
/// first are `[-so-]`, words only in the second `{+so+}`, the rest as they are.
public enum WordDiff {
    /// Longest texts diffed word by word; longer ones are shown as one replacement.
    static let maximumWords = 4_000

    public static func render(_ original: String, _ changed: String) -> String {
        segments(original, changed).map { segment in
            switch segment {
            case let .same(text): text
            case let .removed(text): "[-" + text + "-]"
            case let .added(text): "{+" + text + "+}"
            }
        }.joined(separator: " ")
    }

    /// A run of words both texts share, or that only one of them has.
    public enum Segment: Sendable, Equatable {
        case same(String)
        case removed(String)
        case added(String)
    }

    /// The diff as runs of words, removals before additions where both changed.
    public static func segments(_ original: String, _ changed: String) -> [Segment] {
        let old = original.split(whereSeparator: \.isWhitespace).map(String.init)
        let new = changed.split(whereSeparator: \.isWhitespace).map(String.init)
        guard old.count <= maximumWords, new.count <= maximumWords, old.count * new.count <= 4_000_000 else {
            return [.removed(old.joined(separator: " ")), .added(new.joined(separator: " "))].filter { $0 != .removed("") && $0 != .added("") }
        }
        return group(operations(old, new))
    }

    private typealias Operation = Segment

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

    /// Word operations grouped into runs, removals first.
    private static func group(_ operations: [Operation]) -> [Segment] {
        var segments: [Segment] = []
        var same: [String] = []
        var removed: [String] = []
        var added: [String] = []
        func flushChanges() {
            if !removed.isEmpty { segments.append(.removed(removed.joined(separator: " "))) }
            if !added.isEmpty { segments.append(.added(added.joined(separator: " "))) }
            removed = []
            added = []
        }
        func flushSame() {
            if !same.isEmpty { segments.append(.same(same.joined(separator: " "))) }
            same = []
        }
        for operation in operations {
            switch operation {
            case let .same(word):
                flushChanges()
                same.append(word)
            case let .removed(word):
                flushSame()
                removed.append(word)
            case let .added(word):
                flushSame()
                added.append(word)
            }
        }
        flushSame()
        flushChanges()
        return segments
    }
}
