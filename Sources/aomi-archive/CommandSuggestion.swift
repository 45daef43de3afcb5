import ArgumentParser

/// "Did you mean": the subcommand nearest to a mistyped one (`serach` → `search`), by edit
/// distance, among the subcommands of the command the arguments reached.
enum CommandSuggestion {
    /// The mistyped word and the suggestion, when `arguments` (without the program name)
    /// name an unknown subcommand of `root` or of one of its subcommands.
    static func misspelled(_ arguments: [String], root: any ParsableCommand.Type) -> (typed: String, nearest: String, path: [String])? {
        var command: any ParsableCommand.Type = root
        var path: [String] = []
        for argument in arguments where !argument.hasPrefix("-") {
            var names: [String] = []
            var next: (any ParsableCommand.Type)?
            for subcommand in command.configuration.subcommands {
                let name = name(of: subcommand)
                names.append(name)
                if name == argument { next = subcommand }
            }
            guard !names.isEmpty else { return nil }
            if let next {
                command = next
                path.append(argument)
                continue
            }
            var nearest: (name: String, distance: Int)?
            for name in names {
                let edits = distance(argument, name)
                if edits < nearest?.distance ?? Int.max { nearest = (name, edits) }
            }
            guard let nearest, nearest.distance <= max(2, nearest.name.count / 3) else { return nil }
            return (argument, nearest.name, path)
        }
        return nil
    }

    /// The names leading from `root` to `command` (`["sim", "drive"]`), empty for the root.
    static func path(to command: any ParsableCommand.Type, from root: any ParsableCommand.Type) -> [String]? {
        if command == root { return [] }
        for subcommand in root.configuration.subcommands {
            if let rest = path(to: command, from: subcommand) { return [name(of: subcommand)] + rest }
        }
        return nil
    }

    private static func name(of command: any ParsableCommand.Type) -> String {
        command.configuration.commandName ?? String(describing: command).lowercased()
    }

    /// Levenshtein distance, a swap of two neighbouring letters counting as one edit.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.lowercased())
        let b = Array(b.lowercased())
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var rows = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { rows[i][0] = i }
        for j in 0...b.count { rows[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1) }
            }
        }
        return rows[a.count][b.count]
    }
}
