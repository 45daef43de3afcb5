import AomiArchive
import ArchiveIndex
import ArgumentParser
import Foundation
import ObjectStore
import Replayer
import StoredArchives

/// Which recorded sessions `replay`, `verify` and `export` work on: files or an archive root,
/// narrowed to a wallet or sessions (through the index when there is one).
struct ReplaySource: ParsableArguments {
    @Argument(help: "Archive files or folders (default: --archives).")
    var files: [String] = []

    @OptionGroup var location: IndexLocation

    @Option(help: "Only this recorded session (repeatable).")
    var session: [String] = []

    @Option(help: "Only this wallet's sessions.")
    var wallet: String?

    var selection: SessionSelection { SessionSelection(wallet: wallet, sessions: session) }

    func validate() throws {
        try StoreOption.validate(location.archives)
        if location.isStore, !files.isEmpty { throw ValidationError("name no FILE with --archives s3://…: the store's files are read") }
    }

    /// The archive files to read, and for a store (`--archives s3://…`) the checkout that
    /// holds their local copies: keep it until they are read (a replay: until it stops).
    func resolve(command: String) async throws -> (paths: [String], checkout: ObjectCache.Checkout?) {
        guard let store = try await StoreOption.named(location.archives, command: command) else { return (try paths(), nil) }
        let checkout = try await store.files().checkout(folders: try storeFolders())
        guard !checkout.paths.isEmpty else { throw ValidationError("\(store.location) holds no closed archive file\(selection.sessions.isEmpty ? "" : " of those sessions")") }
        return (checkout.paths, checkout)
    }

    /// With named sessions and an index that places them: the folders of the store to fetch
    /// (whole folders, so revisits find their originals); nil: every folder.
    private func storeFolders() throws -> Set<String>? {
        guard !selection.sessions.isEmpty, let index = location.storeDatabase,
            let database = try? ArchiveDatabase.openExisting(location: index),
            let indexed = try? ArchiveQueries(database: database).files(holdingSessions: selection.sessions), !indexed.isEmpty
        else { return nil }
        return Set(indexed.map(StoreFiles.folderName(of:)))
    }

    /// The archive files to read.
    func paths() throws -> [String] {
        files.isEmpty
            ? try RecordedArchive.archiveFiles(under: location.archives, selection: selection, index: location.database)
            : try files.flatMap { try RecordedArchive.archiveFiles(under: $0) }
    }

    /// The selected sessions, read; problems go to stderr; none selected is an error.
    func load(paths: [String]) throws -> RecordedArchive {
        let archive = try RecordedArchive.load(files: paths, selection: selection)
        try report(sessions: archive.sessions.count, problems: archive.problems)
        return archive
    }

    /// The selected sessions prepared for a replay with `rules` (`ReplayLibrary`: read folder
    /// by folder, the recorded requests not kept); problems go to stderr; none selected is an error.
    func library(paths: [String], rules: MatchRules) throws -> ReplayLibrary {
        let library = try ReplayLibrary.load(files: paths, selection: selection, rules: rules)
        try report(sessions: library.sessionCount, problems: library.problems)
        return library
    }

    /// Problems to stderr; no session selected is an error.
    private func report(sessions: Int, problems: [String]) throws {
        guard sessions > 0 else { throw ReplayerError.nothingSelected(wallet: wallet, sessions: session, loadedSessions: 0) }
        for problem in problems { FileHandle.standardError.write(Data("warning: \(problem)\n".utf8)) }
    }

    /// The archive root: where the redaction key is looked for.
    var root: String {
        guard let first = files.first else { return location.archives }
        return FileManager.default.isDirectory(first) ? first : ((first as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
    }
}
