import AomiArchive
import ArchiveIndex
import Foundation

extension RecordedArchive {
    /// The archive files a replay of `selection` must read: with named sessions and an index,
    /// only the folders the index places them in (whole folders, so revisits find their
    /// originals); otherwise every file under `root`.
    /// `index` is a SQLite file path or a `postgres://` URL.
    public static func archiveFiles(under root: String, selection: SessionSelection, index: String?) throws(ArchiveFileError) -> [String] {
        let all = try archiveFiles(under: root)
        guard !selection.sessions.isEmpty, let index, PostgresLocation(index) != nil || FileManager.default.fileExists(atPath: index),
            let database = try? ArchiveDatabase.openExisting(location: index),
            let indexed = try? ArchiveQueries(database: database).files(holdingSessions: selection.sessions), !indexed.isEmpty
        else { return all }
        let folders = Set(indexed.map { (($0 as NSString).deletingLastPathComponent as NSString).lastPathComponent })
        return all.filter { folders.contains((($0 as NSString).deletingLastPathComponent as NSString).lastPathComponent) }
    }
}
