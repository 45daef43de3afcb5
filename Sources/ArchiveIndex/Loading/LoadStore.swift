/// How an index run reaches its store: which files to read next and from where, and one
/// transaction per batch. `ArchiveIndexer` runs the same loop over either.
protocol LoadStore {
    /// The next files to read, planned (each with where to start), taken from the front of
    /// `files`; empty once `files` is. Files with nothing new are passed over, and where
    /// several indexers share the store, so are files another indexer is reading.
    mutating func nextPlans(from files: inout ArraySlice<ArchiveFile>, report: inout IndexRunReport) throws -> [PlannedFile]

    /// Loads one batch in one transaction, with the file's new `indexed_to`. Nil when another
    /// indexer moved the file on since `start` (this run then leaves the rest of it alone).
    mutating func load(
        _ batch: BatchPrefetcher.Batch, of plan: PlannedFile, from start: Int64, _ body: (any BatchWriter) throws -> BatchLoader.Counts
    ) throws -> BatchLoader.Counts?

    /// Called once the planned files are read (or left).
    mutating func finished(_ plans: [PlannedFile]) throws

    /// Called once at the end of a run that loaded something.
    mutating func finishedRun(_ report: IndexRunReport) throws
}
