import Foundation
import TestSupport
import Testing

/// `docs/commands.md` lists every option of every command, and nothing else: each section
/// `## \`aomi-archive COMMAND\`` has a bullet per option (`- \`--name …\`: …`), checked
/// against what `--experimental-dump-help` says the built command takes.
@Suite struct CommandReferenceTests {
    /// Long option names per command path (`record`, `sim drive`), from the built executable.
    static func optionsFromHelp() async throws -> [String: [[String]]] {
        let dump = try await CommandRunner.run(["--experimental-dump-help"])
        try #require(dump.status == 0, "\(dump.standardError)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(dump.standardOutput.utf8)) as? [String: Any])
        var found: [String: [[String]]] = [:]
        func walk(_ command: [String: Any], path: [String]) {
            let arguments = command["arguments"] as? [[String: Any]] ?? []
            found[path.joined(separator: " ")] = arguments.compactMap { argument in
                guard argument["shouldDisplay"] as? Bool != false else { return nil }
                let names = (argument["names"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "long" }.compactMap { $0["name"] as? String }
                return names.isEmpty || names.contains("help") || names.contains("version") ? nil : names.map { "--" + $0 }
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] where sub["commandName"] as? String != "help" {
                walk(sub, path: path + [sub["commandName"] as? String ?? "?"])
            }
        }
        walk(try #require(root["command"] as? [String: Any]), path: [])
        found[""] = nil
        found["sim"] = nil  // `sim` alone is `sim serve`, its default
        return found
    }

    /// The option names each section's bullets document, by command path.
    static func optionsFromReference() throws -> [String: Set<String>] {
        let text = try String(contentsOfFile: Repository.root + "/docs/commands.md", encoding: .utf8)
        var sections: [String: Set<String>] = [:]
        var current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## `aomi-archive ") {
                current = String(line.dropFirst("## `aomi-archive ".count).prefix { $0 != "`" })
                sections[current!] = []
            } else if line.hasPrefix("## ") {
                current = nil
            } else if let section = current, line.hasPrefix("- `") {
                let named = line.components(separatedBy: ": ").first ?? ""
                let options = named.matches(of: /--[a-z0-9-]+/).map { String($0.output) }
                sections[section]!.formUnion(options)
            }
        }
        return sections
    }

    @Test func everyOptionOfEveryCommandIsInTheReferenceAndNothingElse() async throws {
        let help = try await Self.optionsFromHelp()
        let reference = try Self.optionsFromReference()
        #expect(Set(help.keys) == Set(reference.keys), "commands with a section in docs/commands.md")
        for (command, options) in help {
            let documented = reference[command] ?? []
            for names in options where Set(names).isDisjoint(with: documented) {
                Issue.record("docs/commands.md, `aomi-archive \(command)`: \(names.joined(separator: " / ")) is missing")
            }
            let existing = Set(options.flatMap { $0 })
            for name in documented.subtracting(existing).sorted() {
                Issue.record("docs/commands.md, `aomi-archive \(command)`: \(name) is not an option of the command")
            }
        }
    }
}
