/// What stops archive files from being read or an export from being written, naming the file.
public enum ArchiveFileError: Error, CustomStringConvertible, Equatable {
    case noArchives(path: String)
    case unreadableArchive(path: String, reason: String)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .noArchives(path): "no .warc.gz archives under \(path)"
        case let .unreadableArchive(path, reason): "cannot read \(path): \(reason)"
        case let .cannotWrite(path, reason): "cannot write \(path): \(reason)"
        }
    }
}
