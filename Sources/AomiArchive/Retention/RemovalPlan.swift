/// What a removal (`forget`, `prune`) will do, worked out by reading every file and changing
/// nothing: files deleted whole, files rewritten without some of their records, and the
/// revisits elsewhere that become full records because their original goes.
public struct RemovalPlan: Sendable {
    /// Sessions whose records all go.
    public var sessions: Set<String> = []
    /// Files every record of which goes.
    public var filesDeleted: [String] = []
    /// Files rewritten without the records that go (or with revisits made whole).
    public var filesRewritten: [String] = []
    /// Records that go (a file's `warcinfo` aside).
    public var records = 0
    /// Revisits in files that stay whose original goes: each is rewritten as a full response.
    public var revisitsMadeWhole = 0
    /// Files that a running recorder wrote and that hold something to remove: the removal is
    /// refused while it runs (its memory of payloads may still refer to them).
    public var heldByRunningRecorders: [(file: String, recorder: String)] = []

    /// Record ids that go, and the revisits to make whole (revisit id → original id).
    var doomed: Set<String> = []
    var wholeRevisits: [String: String] = [:]
    /// The summaries read, by path, for the files that change.
    var summaries: [String: FileSummary] = [:]

    /// The ids of the records that go.
    public var recordIDs: Set<String> { doomed }

    /// Nothing to remove.
    public var isEmpty: Bool { records == 0 && filesDeleted.isEmpty && filesRewritten.isEmpty }
}
