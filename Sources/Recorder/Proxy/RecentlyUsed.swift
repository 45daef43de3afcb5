/// A dictionary that keeps at most `capacity` entries, forgetting the least recently used
/// ones first. Two generations: entries used since the last turn-over live in `current`, the
/// others in `previous`; once `current` holds half the capacity, `previous` is dropped. So
/// every entry used among the last `capacity / 2` distinct keys is kept, lookups and inserts
/// are O(1), and memory never grows past `capacity` entries.
struct RecentlyUsed<Key: Hashable, Value> {
    let capacity: Int
    private var current: [Key: Value] = [:]
    private var previous: [Key: Value] = [:]

    init(capacity: Int) {
        self.capacity = max(2, capacity)
    }

    var count: Int { current.count + previous.count }

    /// The value for `key`, which counts as a use.
    mutating func value(for key: Key) -> Value? {
        if let value = current[key] { return value }
        guard let value = previous.removeValue(forKey: key) else { return nil }
        insert(value, for: key)
        return value
    }

    mutating func set(_ value: Value, for key: Key) {
        if current[key] != nil {
            current[key] = value
            return
        }
        previous[key] = nil
        insert(value, for: key)
    }

    private mutating func insert(_ value: Value, for key: Key) {
        if current.count >= capacity / 2 {
            previous = current
            current = [:]
        }
        current[key] = value
    }
}
