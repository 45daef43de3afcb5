/// A Bloom filter of strings: a fixed amount of memory that answers "certainly never added"
/// or "probably added". The session directory uses it to tell a session it forgot from one it
/// never saw, so only a forgotten one resumes its numbering above the rest.
struct SeenFilter {
    private var bits: [UInt64]
    private let hashes = 4

    /// `bytes` of memory; 1 MiB keeps false positives near 2% for a million strings.
    init(bytes: Int = 1 << 20) {
        bits = [UInt64](repeating: 0, count: max(1, bytes / 8))
    }

    mutating func insert(_ key: String) {
        for position in positions(of: key) { bits[position >> 6] |= 1 << UInt64(position & 63) }
    }

    func mayContain(_ key: String) -> Bool {
        positions(of: key).allSatisfy { bits[$0 >> 6] & (1 << UInt64($0 & 63)) != 0 }
    }

    /// Double hashing: positions h1 + i·h2 over the bit array.
    private func positions(of key: String) -> [Int] {
        var first = Hasher()
        first.combine(key)
        var second = Hasher()
        second.combine(0x5bd1_e995)
        second.combine(key)
        let h1 = UInt(bitPattern: first.finalize())
        let h2 = UInt(bitPattern: second.finalize()) | 1
        let size = UInt(bits.count * 64)
        return (0..<hashes).map { Int((h1 &+ UInt($0) &* h2) % size) }
    }
}
