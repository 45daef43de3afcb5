import Foundation

/// What reading one wallet folder gave.
struct FolderReading: Sendable {
    var exchanges: [RecordedExchange] = []
    var keyIDs: Set<String> = []
    var problems: [String] = []
    var filesRead = 0
    var failure: ArchiveFileError?
}
