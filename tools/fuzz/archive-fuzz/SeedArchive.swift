import Foundation
import WARC

/// A real recorded archive file a mutant starts from, with where its records are stored (to
/// duplicate, swap and rewrite whole gzip members).
struct SeedArchive {
    let name: String
    let bytes: [UInt8]
    let compressed: Bool
    /// Offset and stored length of each gzip member (or plain record).
    let members: [(offset: Int, length: Int)]
    /// The records of each member, serialized: what a member says before compression.
    let plainMembers: [[UInt8]]

    /// Every `.warc.gz` and `.warc` file under `folder`, cut into windows of at most
    /// `window` consecutive members (each after the file's `warcinfo`), each window also as a
    /// plain `.warc`, so both readers are fuzzed and a mutant is quick to go through.
    static func load(from folder: String, window: Int = 16) throws -> [SeedArchive] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { throw FuzzError.noSeeds(folder) }
        var seeds: [SeedArchive] = []
        while let relative = walker.nextObject() as? String {
            guard relative.hasSuffix(".warc.gz") || relative.hasSuffix(".warc") else { continue }
            let path = (folder as NSString).appendingPathComponent(relative)
            let (records, _) = try WARCFileReader.readAll(path: path)
            guard !records.isEmpty, let data = FileManager.default.contents(atPath: path) else { continue }
            let bytes = Array(data)
            let compressed = relative.hasSuffix(".gz")
            let members = Self.members(of: records)
            let head = members[0]
            var start = 1
            repeat {
                let chosen = [head] + members[min(start, members.count)..<min(start + window, members.count)]
                let name = "\(relative) members \(start)..<\(min(start + window, members.count))"
                seeds.append(Self.seed(name: name, from: chosen, bytes: bytes, compressed: compressed))
                if compressed {
                    let plain = chosen.map { (offset: 0, length: 0, plain: $0.plain) }
                    seeds.append(Self.seed(name: name + " (plain)", from: plain, bytes: [], compressed: false))
                }
                start += window
            } while start < members.count
        }
        guard !seeds.isEmpty else { throw FuzzError.noSeeds(folder) }
        return seeds.sorted { $0.name < $1.name }
    }

    private typealias Member = (offset: Int, length: Int, plain: [UInt8])

    /// Where each gzip member (or plain record) is stored, and its records serialized.
    private static func members(of records: [WARCStoredRecord]) -> [Member] {
        var members: [Member] = []
        for stored in records {
            if members.last?.offset == Int(stored.offset) {
                members[members.count - 1].plain += stored.record.serialized()
            } else {
                members.append((Int(stored.offset), Int(stored.length), stored.record.serialized()))
            }
        }
        return members
    }

    /// A seed of the chosen members: their stored bytes (gzip), or their plain records.
    private static func seed(name: String, from chosen: [Member], bytes: [UInt8], compressed: Bool) -> SeedArchive {
        var out: [UInt8] = []
        var ranges: [(offset: Int, length: Int)] = []
        for member in chosen {
            let stored = compressed ? Array(bytes[member.offset..<(member.offset + member.length)]) : member.plain
            ranges.append((out.count, stored.count))
            out += stored
        }
        return SeedArchive(name: name, bytes: out, compressed: compressed, members: ranges, plainMembers: chosen.map(\.plain))
    }
}

/// Why a fuzz run could not start.
enum FuzzError: Error, CustomStringConvertible {
    case noSeeds(String)
    case usage(String)

    var description: String {
        switch self {
        case let .noSeeds(folder): "no readable .warc.gz or .warc file under \(folder) to start mutants from"
        case let .usage(text): text
        }
    }
}
