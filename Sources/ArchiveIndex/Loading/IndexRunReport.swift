import WARC

/// What an index run did.
public struct IndexRunReport: Sendable {
    public var filesSeen = 0
    /// Files read in whole or in part (the others had nothing new).
    public var filesRead = 0
    public var recordsLoaded = 0
    public var messagesWritten = 0
    public var eventsWritten = 0
    /// Records of compacted files that only moved to their place in the new file.
    public var recordsRelocated = 0
    /// Compressed bytes read.
    public var bytesRead: Int64 = 0
    public var damage: [WARCDamage] = []
    /// Damage found by earlier runs in files this run found unchanged (so did not read again).
    public var knownDamage: [WARCDamage] = []
    /// PostgreSQL: files with something new that another indexer was reading (claimed), left to it.
    public var filesLeftToOthers = 0
    public var seconds = 0.0

    public var recordsPerSecond: Double { seconds > 0 ? Double(recordsLoaded) / seconds : 0 }

    public init() {}

    /// Adds what `other`, a run over other files, read and found (files seen and seconds
    /// are the caller's: runs over parts of one listing overlap in neither).
    public mutating func add(_ other: IndexRunReport) {
        filesRead += other.filesRead
        recordsLoaded += other.recordsLoaded
        messagesWritten += other.messagesWritten
        eventsWritten += other.eventsWritten
        recordsRelocated += other.recordsRelocated
        bytesRead += other.bytesRead
        damage += other.damage
        knownDamage += other.knownDamage
        filesLeftToOthers += other.filesLeftToOthers
    }
}

/// Progress of an index run, for a progress bar.
public struct IndexProgress: Sendable {
    public var filesDone: Int
    public var filesTotal: Int
    public var records: Int
    public var bytes: Int64
    /// The bytes this run has to read in all (new files whole, grown files from where the
    /// last run stopped): with `bytes`, the share done and the time left.
    public var totalBytes: Int64
    public var seconds: Double
}
