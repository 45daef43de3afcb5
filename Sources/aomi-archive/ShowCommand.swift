import AomiArchive
import ArchiveIndex
import ArgumentParser
import Conversation
import Foundation
import Replayer

/// `aomi-archive show`: a session as turns (what the user sent, the tools, the wallet
/// requests and what the user did, the answer, with timings), or its transcript line by line.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print an indexed session as turns: the user's message, tools with their durations, wallet requests and outcomes, the answer.",
        discussion: """
            Turns are read from the session's records (the index says which files); --transcript \
            prints every message, update event, title and system event on its own line instead.
            """)

    @Argument(help: "Session id.")
    var session: String

    @OptionGroup var location: IndexLocation

    @Flag(help: "The transcript line by line (messages, update events, titles, system events) instead of turns.")
    var transcript = false

    @Flag(help: "The session as one JSON object: the transcript's fields, its turns and their summary.")
    var json = false

    func run() throws {
        let transcript = try ArchiveQueries(database: try ArchiveDatabase.openExisting(location: location.database)).transcript(session: session)
        let turns = conversation()?.turns ?? []
        if json {
            JSONLinesWriter().write(ShownSession(transcript: transcript, turns: turns))
            return
        }
        print("session \(transcript.session)  wallet \(transcript.wallet ?? "-")  \"\(transcript.title ?? "")\"")
        if let original = transcript.rerunOf { print("rerun of \(original)") }
        if !transcript.reruns.isEmpty { print("rerun as \(transcript.reruns.joined(separator: ", "))") }
        if self.transcript || turns.isEmpty {
            printTranscript(transcript)
        } else {
            print(TurnsText.summary(ConversationSummary(turns)))
            for turn in turns { print("\n" + TurnsText.turn(turn)) }
        }
    }

    /// The session read from its records, nil when they cannot be read (the index alone
    /// still gives the transcript).
    private func conversation() -> RecordedConversation? {
        let selection = SessionSelection(sessions: [session])
        guard let files = try? RecordedArchive.archiveFiles(under: location.archives, selection: selection, index: location.database) else { return nil }
        return (try? RecordedConversation.load(files: files, selection: selection))?.first
    }

    private func printTranscript(_ transcript: Transcript) {
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

/// `show --json`: the transcript's fields, with the turns and their summary beside them.
struct ShownSession: Encodable {
    let transcript: Transcript
    let turns: [ConversationTurn]

    enum CodingKeys: String, CodingKey {
        case turns, summary
    }

    func encode(to encoder: any Encoder) throws {
        try transcript.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(turns, forKey: .turns)
        try container.encode(ConversationSummary(turns), forKey: .summary)
    }
}
