/// The one seeded generator of the package (SplitMix64): a sequence that follows from its seed
/// alone, so the simulator's content depends only on its seed and the requests it gets, a
/// fuzzer's mutant N can be made again from the run's seed and N, and a benchmark's generated
/// archive is the same every run.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Starts from `state` as it is.
    public init(state: UInt64) {
        self.state = state
    }

    /// A generator for one use of a seed, named by `parts` (a wallet, a thread): different
    /// parts give unrelated sequences (their FNV-1a hash with the seed is the state).
    public init(seed: UInt64, _ parts: String...) {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ seed
        for part in parts {
            for byte in part.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01B3
            }
            hash ^= 0xFF
            hash = hash &* 0x0000_0100_0000_01B3
        }
        state = hash
    }

    /// The generator of item `index` of a run seeded with `seed` (a fuzzer's mutant).
    public init(seed: UInt64, index: UInt64) {
        state = seed &* 0x9E37_79B9_7F4A_7C15 ^ index &* 0xBF58_476D_1CE4_E5B9
        _ = next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `range` (as the generators it replaces made it, so sequences stay the same).
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    /// One of `items`, which must not be empty.
    public mutating func pick<T>(_ items: [T]) -> T {
        items[int(in: 0...(items.count - 1))]
    }
}
