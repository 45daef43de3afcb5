import AomiArchive
import Foundation

extension RecordedConversation {
    /// The selected sessions of `files` read as conversations, each with the secrets its
    /// client registered without naming a session (found among the exchanges of the
    /// `_unbound` folder's files). The exchanges that named no session are not a conversation.
    public static func load(files: [String], selection: SessionSelection) throws(ArchiveFileError) -> [RecordedConversation] {
        let archive = try RecordedArchive.load(files: files, selection: selection)
        let unbound = files.filter { (($0 as NSString).deletingLastPathComponent as NSString).lastPathComponent == ArchiveFiles.unboundFolder }
        let unattributed = unbound.isEmpty ? [] : try RecordedArchive.load(files: unbound, selection: SessionSelection(sessions: [""])).sessions.flatMap(\.exchanges)
        return archive.sessions.filter { !$0.id.isEmpty }.map { RecordedConversation($0, unattributed: unattributed) }
    }
}
