import Foundation

/// How the person ran this program, so that commands suggested to them can be pasted as they
/// are: `swift run aomi-archive` under `swift run` (its shell sets `_` to the `swift` it ran),
/// the path typed for a built binary (`.build/debug/aomi-archive`), or `aomi-archive` when it
/// was found on the `PATH`.
enum Invocation {
    static var command: String {
        command(arguments: CommandLine.arguments, environment: ProcessInfo.processInfo.environment)
    }

    static func command(arguments: [String], environment: [String: String]) -> String {
        let launcher = environment["_"].map { ($0 as NSString).lastPathComponent }
        if launcher == "swift" || launcher == "swift-run" { return "swift run aomi-archive" }
        guard let program = arguments.first, program.contains("/") else { return "aomi-archive" }
        return quoted(program)
    }

    /// A path quoted for a POSIX shell when it holds anything but safe characters.
    static func quoted(_ path: String) -> String {
        path.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./+".contains($0)) } ? path : "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
