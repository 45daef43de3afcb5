import Foundation

/// What changed between two JSON answers, as mitmweb's and a person's eye want it from two
/// polls of `/api/state`: one line per changed value with its path (`messages[3].content`,
/// `is_processing: true → false`), added and removed keys and array items.
enum SnapshotDiff {
    /// At most this many lines; the rest are counted in a last line.
    static let mostLines = 60

    static func changes(from old: [UInt8], to new: [UInt8]) -> [String]? {
        guard let before = try? JSONSerialization.jsonObject(with: Data(old), options: [.fragmentsAllowed]),
            let after = try? JSONSerialization.jsonObject(with: Data(new), options: [.fragmentsAllowed])
        else { return nil }
        var lines: [String] = []
        compare(before, after, path: "", into: &lines)
        if lines.count > mostLines { return Array(lines.prefix(mostLines)) + ["… and \(lines.count - mostLines) more changes"] }
        return lines
    }

    private static func compare(_ old: Any, _ new: Any, path: String, into lines: inout [String]) {
        switch (old, new) {
        case let (old as [String: Any], new as [String: Any]):
            for key in Set(old.keys).union(new.keys).sorted() {
                let child = path.isEmpty ? key : path + "." + key
                switch (old[key], new[key]) {
                case let (before?, after?): compare(before, after, path: child, into: &lines)
                case let (nil, after?): lines.append("+ \(child): \(short(after))")
                case let (before?, nil): lines.append("- \(child): \(short(before))")
                default: break
                }
            }
        case let (old as [Any], new as [Any]):
            for index in 0..<max(old.count, new.count) {
                let child = "\(path)[\(index)]"
                if index >= old.count {
                    lines.append("+ \(child): \(short(new[index]))")
                } else if index >= new.count {
                    lines.append("- \(child): \(short(old[index]))")
                } else {
                    compare(old[index], new[index], path: child, into: &lines)
                }
            }
        default:
            let before = short(old)
            let after = short(new)
            if before != after { lines.append("~ \(path.isEmpty ? "(body)" : path): \(before) → \(after)") }
        }
    }

    /// A value as compact JSON, cut to 160 characters.
    static func short(_ value: Any) -> String {
        let text =
            (try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes]))
            .map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
        return text.count > 160 ? text.prefix(159) + "…" : text
    }
}
