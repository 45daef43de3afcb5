/// A whole-stream response (`export --playable`) read by the index, waiting for the event
/// list that follows it.
struct WholeStreamResponse {
    var recordID: String
    var body: [UInt8]
    var session: String?
    var date: String
    /// Its `records` row, which its events point to.
    var row: Int64
}
