import AomiAPI
import CLibdeflate

/// Makes mutant N of a seed: one to three mutations, chosen and placed by a generator seeded
/// with the run's seed and N, so the same N always gives the same bytes.
struct Mutator {
    /// Numbers no length, offset or count should be trusted with.
    static let hostileNumbers = [
        "-1", "0", "-9223372036854775808", "9223372036854775807", "9223372036854775808", "18446744073709551615",
        "99999999999999999999999999", "4294967296", "2147483648", "1e9", "0x10", "+5", " 7", "12abc", "",
    ]

    let seeds: [SeedArchive]
    let seed: UInt64

    func mutant(_ index: UInt64) -> (bytes: [UInt8], seedName: String, compressed: Bool, steps: [String]) {
        var generator = SeededRandom(seed: seed, index: index)
        let source = seeds[Int(generator.next() % UInt64(seeds.count))]
        var bytes = source.bytes
        var steps: [String] = []
        for _ in 0...Int(generator.next() % 3) {
            steps.append(mutate(&bytes, source: source, using: &generator))
        }
        return (bytes, source.name, source.compressed, steps)
    }

    private func mutate(_ bytes: inout [UInt8], source: SeedArchive, using generator: inout SeededRandom) -> String {
        guard !bytes.isEmpty else {
            bytes = randomBytes(Int(generator.next() % 64) + 1, using: &generator)
            return "random bytes"
        }
        switch generator.next() % 9 {
        case 0:
            let flips = Int(generator.next() % 8) + 1
            for _ in 0..<flips {
                let at = Int(generator.next() % UInt64(bytes.count))
                bytes[at] ^= 1 << UInt8(generator.next() % 8)
            }
            return "flip \(flips) bits"
        case 1:
            let at = Int(generator.next() % UInt64(bytes.count))
            bytes.removeSubrange(at...)
            return "truncate at \(at)"
        case 2:
            let at = Int(generator.next() % UInt64(bytes.count + 1))
            let inserted =
                generator.next() % 2 == 0
                ? randomBytes(Int(generator.next() % 64) + 1, using: &generator)
                : Array(bytes[Int(generator.next() % UInt64(bytes.count))...].prefix(Int(generator.next() % 512) + 1))
            bytes.insert(contentsOf: inserted, at: at)
            return "insert \(inserted.count) bytes at \(at)"
        case 3:
            let at = Int(generator.next() % UInt64(bytes.count))
            let count = min(Int(generator.next() % 256) + 1, bytes.count - at)
            bytes.removeSubrange(at..<(at + count))
            return "delete \(count) bytes at \(at)"
        case 4:
            guard let (member, range) = member(of: source, in: bytes, using: &generator) else { return "no member to duplicate" }
            let at = boundary(of: source, in: bytes, using: &generator)
            bytes.insert(contentsOf: member, at: at)
            return "duplicate member at \(range.lowerBound) to \(at)"
        case 5:
            guard source.members.count >= 2 else { return "no members to swap" }
            let first = source.members[Int(generator.next() % UInt64(source.members.count))]
            let second = source.members[Int(generator.next() % UInt64(source.members.count))]
            let (low, high) = first.offset <= second.offset ? (first, second) : (second, first)
            guard low.offset + low.length <= high.offset, high.offset + high.length <= bytes.count else { return "members overlap" }
            let lowBytes = Array(bytes[low.offset..<(low.offset + low.length)])
            let highBytes = Array(bytes[high.offset..<(high.offset + high.length)])
            bytes.replaceSubrange(high.offset..<(high.offset + high.length), with: lowBytes)
            bytes.replaceSubrange(low.offset..<(low.offset + low.length), with: highBytes)
            return "swap members at \(low.offset) and \(high.offset)"
        case 6:
            guard let (_, range) = member(of: source, in: bytes, using: &generator) else { return "no member to drop" }
            bytes.removeSubrange(range)
            return "drop member at \(range.lowerBound)"
        default:
            return hostileNumber(in: &bytes, source: source, using: &generator)
        }
    }

    /// Rewrites one `Name: digits` field of a member's records (WARC or HTTP head) to a
    /// hostile number, and stores the member again (recompressed when the seed is gzip).
    private func hostileNumber(in bytes: inout [UInt8], source: SeedArchive, using generator: inout SeededRandom) -> String {
        guard !source.members.isEmpty else { return "no member" }
        let index = Int(generator.next() % UInt64(source.members.count))
        let range = source.members[index].offset..<(source.members[index].offset + source.members[index].length)
        guard range.upperBound <= bytes.count else { return "member gone" }
        var plain = source.plainMembers[index]
        let fields = numericFields(in: plain)
        guard !fields.isEmpty else { return "no numeric field" }
        let field = fields[Int(generator.next() % UInt64(fields.count))]
        let number = Self.hostileNumbers[Int(generator.next() % UInt64(Self.hostileNumbers.count))]
        plain.replaceSubrange(field.value, with: Array(number.utf8))
        let stored = source.compressed ? gzip(plain) : plain
        bytes.replaceSubrange(range, with: stored)
        return "\(field.name) = \(number) in member at \(range.lowerBound)"
    }

    /// Every `Name: 123` line's name and digits.
    private func numericFields(in plain: [UInt8]) -> [(name: String, value: Range<Int>)] {
        var found: [(String, Range<Int>)] = []
        var lineStart = 0
        for index in plain.indices where plain[index] == 0x0A {
            let line = plain[lineStart..<index]
            lineStart = index + 1
            guard let colon = line.firstIndex(of: 0x3A), colon + 2 < line.endIndex, plain[colon + 1] == 0x20 else { continue }
            var end = colon + 2
            while end < line.endIndex, (0x30...0x39).contains(plain[end]) { end += 1 }
            guard end > colon + 2, end == line.endIndex || plain[end] == 0x0D else { continue }
            found.append((String(decoding: plain[line.startIndex..<colon], as: UTF8.self), (colon + 2)..<end))
        }
        return found
    }

    private func member(of source: SeedArchive, in bytes: [UInt8], using generator: inout SeededRandom) -> ([UInt8], Range<Int>)? {
        guard !source.members.isEmpty else { return nil }
        let member = source.members[Int(generator.next() % UInt64(source.members.count))]
        let range = member.offset..<(member.offset + member.length)
        guard range.upperBound <= bytes.count else { return nil }
        return (Array(bytes[range]), range)
    }

    private func boundary(of source: SeedArchive, in bytes: [UInt8], using generator: inout SeededRandom) -> Int {
        let candidates = source.members.map(\.offset).filter { $0 <= bytes.count } + [bytes.count]
        return candidates[Int(generator.next() % UInt64(candidates.count))]
    }

    private func randomBytes(_ count: Int, using generator: inout SeededRandom) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    }

    private func gzip(_ plain: [UInt8]) -> [UInt8] {
        guard let compressor = libdeflate_alloc_compressor(6) else { return plain }
        defer { libdeflate_free_compressor(compressor) }
        let bound = libdeflate_gzip_compress_bound(compressor, plain.count)
        return plain.withUnsafeBytes { input in
            [UInt8](unsafeUninitializedCapacity: bound) { output, initialized in
                initialized = libdeflate_gzip_compress(compressor, input.baseAddress, input.count, output.baseAddress, bound)
            }
        }
    }
}
