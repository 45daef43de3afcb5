import AomiArchive
import Foundation
import WARC

/// `aomi-archive du` (and the browser's page of it): what an archive root keeps, per wallet or
/// per day. Bytes come from the files on disk (live: one gzip member per record, as recorded;
/// compacted: rewritten into bundles), records, sessions and dates from the index. By day, a
/// file's bytes count on the day of its newest record, the day `prune` goes by.
public struct ArchiveUsage: Sendable {
    public enum Grouping: String, Sendable, CaseIterable {
        case wallet, day
    }

    /// One wallet's or one day's share.
    public struct Row: Sendable, Codable, Equatable {
        /// The wallet (`_unbound` for records without one) or the day (`2026-12-05`).
        public var key: String
        public var files = 0
        public var bytesLive: Int64 = 0
        public var bytesCompacted: Int64 = 0
        public var records = 0
        public var sessions = 0
        public var oldest: String?
        public var newest: String?

        enum CodingKeys: String, CodingKey {
            case key, files, records, sessions, oldest, newest
            case bytesLive = "bytes_live"
            case bytesCompacted = "bytes_compacted"
        }
    }

    public let root: String
    let queries: ArchiveQueries

    public init(root: String, database: ArchiveDatabase) {
        self.init(root: root, queries: ArchiveQueries(database: database))
    }

    public init(root: String, queries: ArchiveQueries) {
        self.root = root
        self.queries = queries
    }

    /// The rows, largest first, and their total (key `total`).
    public func rows(by grouping: Grouping) throws(IndexError) -> (rows: [Row], total: Row) {
        let counted = try queries.recordGroups(byDay: grouping == .day)
        var byKey: [String: Row] = [:]
        var sessions: [String: Set<String>] = [:]
        var allSessions: Set<String> = []
        var fileNewest: [String: String] = [:]
        for group in counted {
            let path = group.file
            let key = grouping == .wallet ? folder(of: path) : (group.day ?? "?")
            var entry = byKey[key] ?? Row(key: key)
            entry.records += group.records
            entry.oldest = Self.earlier(entry.oldest, group.oldest)
            entry.newest = Self.later(entry.newest, group.newest)
            byKey[key] = entry
            if let session = group.session {
                sessions[key, default: []].insert(session)
                allSessions.insert(session)
            }
            fileNewest[path] = Self.later(fileNewest[path], group.newest)
        }
        let paths = (try? ArchiveFiles.find(under: root)) ?? []
        for path in paths {
            let key: String
            switch grouping {
            case .wallet: key = folder(of: path)
            case .day:
                guard let newest = fileNewest[path] ?? fileNewest[path + WARCWriterConfiguration.openSuffix] else { continue }
                key = String(newest.prefix(10))
            }
            var entry = byKey[key] ?? Row(key: key)
            entry.files += 1
            let size = ArchiveFiles.size(of: path)
            if CompactionInfo(file: path) != nil { entry.bytesCompacted += size } else { entry.bytesLive += size }
            byKey[key] = entry
        }
        var total = Row(key: "total")
        var rows: [Row] = []
        for (key, var entry) in byKey {
            entry.sessions = sessions[key]?.count ?? 0
            total.files += entry.files
            total.bytesLive += entry.bytesLive
            total.bytesCompacted += entry.bytesCompacted
            total.records += entry.records
            total.oldest = Self.earlier(total.oldest, entry.oldest)
            total.newest = Self.later(total.newest, entry.newest)
            rows.append(entry)
        }
        total.sessions = allSessions.count
        rows.sort { grouping == .day ? $0.key > $1.key : ($0.bytesLive + $0.bytesCompacted, $1.key) > ($1.bytesLive + $1.bytesCompacted, $0.key) }
        return (rows, total)
    }

    /// `1.5 MiB`: a byte count as people read it (`812 B` below a KiB).
    public static func readable(bytes count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
    }

    private func folder(of path: String) -> String {
        ((path as NSString).deletingLastPathComponent as NSString).lastPathComponent
    }

    private static func earlier(_ a: String?, _ b: String?) -> String? {
        guard let a else { return b }
        guard let b else { return a }
        return min(a, b)
    }

    private static func later(_ a: String?, _ b: String?) -> String? {
        guard let a else { return b }
        guard let b else { return a }
        return max(a, b)
    }
}
