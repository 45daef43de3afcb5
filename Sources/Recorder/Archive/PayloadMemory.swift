import AomiArchive

/// The full responses a wallet folder already holds, by session, method, path and payload
/// digest, so that an identical payload is written as a `revisit` of them.
///
/// A revisit refers only to a response of its own session (or, for requests that name none,
/// of its folder): each session's records then hold its whole conversation, which the index
/// reads session by session (it skips revisits, whose payload the session already had), and
/// which a rerun repeated at the same moment, or two fresh threads, would otherwise share. Holds at most `capacity`
/// entries, forgetting the oldest first, so memory does not grow with traffic.
struct PayloadMemory {
    typealias Original = ExchangeRecords.Original

    private var originals: [String: Original] = [:]
    private var order: [String] = []
    private var oldest = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    static func key(session: String?, method: String, path: String, digest: String) -> String {
        (session ?? "") + " " + method + " " + path + " " + digest
    }

    func original(for key: String) -> Original? {
        originals[key]
    }

    mutating func remember(_ original: Original, for key: String) {
        if originals.updateValue(original, forKey: key) != nil { return }
        if order.count < capacity {
            order.append(key)
            return
        }
        originals[order[oldest]] = nil
        order[oldest] = key
        oldest = (oldest + 1) % capacity
    }

    /// Lets go of the originals among `recordIDs` (their files are being removed): the next
    /// identical payload is written in full. Their keys stay in the eviction order, where
    /// they cost a slot until their turn comes.
    mutating func forget(recordIDs: Set<String>) {
        guard !recordIDs.isEmpty else { return }
        originals = originals.filter { !recordIDs.contains($0.value.recordID) }
    }

    var count: Int { originals.count }
}
