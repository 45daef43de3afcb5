import ArchiveIndex
import ArgumentParser
import Foundation

/// `aomi-archive show`: a session's transcript.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Print an indexed session: messages, tool events, titles, system events.")

    @Argument(help: "Session id.")
    var session: String

    @OptionGroup var location: IndexLocation

    @Flag(help: "The transcript as one JSON object.")
    var json = false

    func run() throws {
        let transcript = try ArchiveQueries(database: try ArchiveDatabase.openExisting(location: location.database)).transcript(session: session)
        if json {
            JSONLinesWriter().write(transcript)
            return
        }
        print("session \(transcript.session)  wallet \(transcript.wallet ?? "-")  \"\(transcript.title ?? "")\"")
        if let original = transcript.rerunOf { print("rerun of \(original)") }
        if !transcript.reruns.isEmpty { print("rerun as \(transcript.reruns.joined(separator: ", "))") }
        for entry in transcript.entries {
            switch entry.kind {
            case .message:
                // A whole-second stamp is shown as the backend wrote it, not as `.000000`.
                let time = Transcript.isWholeSecond(entry.time) ? entry.time.prefix(19) + "Z" : entry.time
                print("\(time)  \(entry.label): \(entry.text)")
                if let tool = entry.toolResult { print("    tool: \(tool.replacingOccurrences(of: "\n", with: " | "))") }
            case .title:
                print("\(entry.time)  [title] \(entry.text)")
            case .event, .system:
                print("\(entry.time)  [\(entry.kind.rawValue) \(entry.label)] \(entry.text)")
            }
        }
    }
}
