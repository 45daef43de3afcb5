import AomiArchive

/// The full responses a wallet folder already holds, by method, path and payload digest, so
/// that an identical payload is written as a `revisit` of them. Holds at most `capacity`
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

    static func key(method: String, path: String, digest: String) -> String {
        method + " " + path + " " + digest
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

    var count: Int { originals.count }
}
