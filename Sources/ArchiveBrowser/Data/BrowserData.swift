import AomiAPI
import AomiArchive
import ArchiveIndex
import Conversation
import Foundation
import StoredArchives
import WARC

/// What the pages show, read: wallets, threads, transcripts and search from the index; a
/// session's exchanges from its archive files, through the replayer's reader. Nothing here
/// writes.
struct BrowserData: Sendable {
    let root: String
    let databaseLocation: String
    let queries: ArchiveQueries
    let sessions = SessionCache()
    /// The store's folders made local, when the archives are in a store (`--archives s3://…`).
    var storeFolders: StoreFolders?

    /// Wallets shown per page of the wallets page.
    static let walletsPerPage = 500

    func wallets(page: Int) throws(IndexError) -> WalletsModel {
        let wallets = try queries.wallets(limit: Self.walletsPerPage + 1, offset: (page - 1) * Self.walletsPerPage)
        return WalletsModel(
            wallets: Array(wallets.prefix(Self.walletsPerPage)), page: page, hasMore: wallets.count > Self.walletsPerPage, indexedAt: try queries.lastIndexed(),
            sessionlessExchanges: try queries.sessionlessExchangeCount())
    }

    /// Whether activity times (`WARC-Date`s), first to last, lie within 24 hours: a wallet
    /// active late one evening and early the next morning is charted by hour.
    static func spansADayOrLess(_ activity: [String]) -> Bool {
        let times = activity.compactMap { WARCDate(parsing: $0)?.microsecondsSince1970 }
        guard let first = times.min(), let last = times.max() else { return true }
        return last - first <= 86_400_000_000
    }

    /// What the root keeps, by wallet or by day (bytes from the files, the rest from the index).
    func usage(by grouping: ArchiveUsage.Grouping) throws(IndexError) -> UsageModel {
        let (rows, total) = try ArchiveUsage(root: root, queries: queries).rows(by: grouping)
        return UsageModel(by: grouping.rawValue, rows: rows, total: total)
    }

    /// The exchanges recorded without a session, newest first, with their files shown from the root.
    func sessionless() throws(IndexError) -> SessionlessModel {
        let found = try queries.sessionlessExchanges()
        return SessionlessModel(
            count: found.count,
            exchanges: found.newest.map { exchange in
                var shown = exchange
                shown.file = relative(exchange.file)
                return shown
            })
    }

    /// A wallet's page, nil when the index has no thread of it.
    func wallet(_ address: String) throws(IndexError) -> WalletModel? {
        let threads = try queries.threads(wallet: address)
        guard !threads.isEmpty else { return nil }
        let daily = try queries.activity(wallet: address)
        let hourly = daily.count <= 1 || Self.spansADayOrLess(threads.compactMap(\.firstActivity) + threads.compactMap(\.lastActivity))
        return WalletModel(
            wallet: address, threads: threads, titles: try queries.titles(wallet: address),
            activity: hourly ? try queries.activity(wallet: address, hourly: true) : daily, activityUnit: hourly ? "hour" : "day")
    }

    /// A session's page, nil when the index does not know it.
    func session(_ id: String) throws -> SessionModel? {
        let found = Result { () throws(IndexError) -> Transcript in try queries.transcript(session: id) }
        if case .failure(.unknownSession) = found { return nil }
        let transcript = try found.get()
        let read = try readSession(id, in: try sessionFiles(id))
        let exchanges = read?.recorded.exchanges.map(ExchangeSummary.init) ?? []
        let turns = read?.turns ?? []
        let archives = Self.shellQuoted(root)
        let session = Self.shellQuoted(id)
        return SessionModel(
            transcript: transcript, exchanges: exchanges,
            commands: [
                "aomi-archive replay --archives \(archives) --session \(session)",
                "aomi-archive verify --archives \(archives) --session \(session)",
                "aomi-archive export --archives \(archives) --session \(session) --format har -o session.har",
            ],
            messageSources: Self.messageSources(transcript, exchanges), turns: turns, summary: ConversationSummary(turns))
    }

    /// For each message, the exchange whose answer first held it: the one answered when the
    /// index first saw the message, or the first answered after.
    static func messageSources(_ transcript: Transcript, _ exchanges: [ExchangeSummary]) -> [Int: Int] {
        var sources: [Int: Int] = [:]
        let answers = exchanges.filter { $0.eventTimes.isEmpty }
        for entry in transcript.entries where entry.kind == .message {
            guard let position = entry.position, let firstSeen = entry.firstSeen else { continue }
            let source = answers.first { $0.answered == firstSeen } ?? answers.first { $0.answered >= firstSeen }
            sources[position] = source?.sequence
        }
        return sources
    }

    /// One exchange of a session by its number, nil when there is none.
    func exchange(session id: String, sequence: Int) throws -> ExchangeModel? {
        guard let exchanges = try recordedSession(id)?.exchanges, let index = exchanges.firstIndex(where: { $0.sequence == sequence }) else { return nil }
        let exchange = exchanges[index]
        let previousPoll = Self.isPoll(exchange) ? exchanges[..<index].last { Self.isPoll($0) && $0.request.path == exchange.request.path } : nil
        let request = exchange.request
        let head = exchange.answer.head
        var events: [ExchangeModel.Event] = []
        if case let .stream(stream) = exchange.answer {
            events = stream.events.map { ExchangeModel.Event(time: $0.date.description, data: String(decoding: $0.bytes, as: UTF8.self)) }
        }
        return ExchangeModel(
            sessionID: id, summary: ExchangeSummary(exchange),
            request: .init(
                line: "\(request.method) \(request.target)", date: request.date.description, fields: request.fields.map { [$0.name, $0.value] },
                body: Self.readable(request.body), file: relative(request.location.file), offset: request.location.offset,
                positionInBundle: request.location.positionInBundle, payloadDigest: nil),
            response: .init(
                line: "\(head.status) \(head.reason)", date: head.date.description, fields: head.fields.map { [$0.name, $0.value] },
                body: Self.readable(head.body), file: relative(head.location.file), offset: head.location.offset,
                positionInBundle: head.location.positionInBundle, payloadDigest: head.payloadDigest),
            events: events,
            parameters: QueryString.parameters(of: request.target).map { [$0.name, Self.readable(Array($0.value.utf8))] },
            previous: index > 0 ? exchanges[index - 1].sequence : nil, next: index + 1 < exchanges.count ? exchanges[index + 1].sequence : nil,
            changesSincePreviousPoll: previousPoll.flatMap { SnapshotDiff.changes(from: $0.answer.head.body, to: head.body) },
            previousPoll: previousPoll?.sequence,
            curl: CurlCommand.make(method: request.method, uri: request.uri, fields: request.fields.map { ($0.name, $0.value) }, body: request.body))
    }

    /// A `GET` answered by a whole response (a poll of `/api/state`, the thread list…).
    private static func isPoll(_ exchange: RecordedExchange) -> Bool {
        guard exchange.request.method == "GET", case .response = exchange.answer else { return false }
        return true
    }

    /// A page of search hits (`pageSize` per page), or why the query cannot run.
    func search(_ text: String, filters: SearchQuery, page: Int, pageSize: Int = 20) -> SearchModel {
        var model = SearchModel(query: text, understood: nil, page: page, hits: [], hasMore: false, error: nil)
        do {
            model.understood = try ParsedQuery(text).understood
            var query = filters
            query.limit = pageSize + 1
            query.offset = (page - 1) * pageSize
            let (hits, totals) = try queries.searchCounting(query)
            model.hits = Array(hits.prefix(pageSize))
            model.hasMore = hits.count > pageSize
            model.totals = totals
            model.lastPage = max(1, (totals.hits + pageSize - 1) / pageSize)
        } catch {
            model.error = "\(error)"
        }
        return model
    }

    /// The session's exchanges read from the folders the index places it in (or from the
    /// cache while those files are unchanged).
    /// A rerun and its original read from their records and compared turn by turn; nil when
    /// `rerun` is not an indexed rerun or either side has no records.
    func comparison(rerun: String) throws -> ComparisonModel? {
        guard let original = try queries.rerunLinks(of: rerun).original,
            let before = try recordedSession(original), let after = try recordedSession(rerun)
        else { return nil }
        let comparison = ConversationComparison(original: RecordedConversation(before), rerun: RecordedConversation(after))
        return ComparisonModel(
            comparison: comparison, originalTitle: try? queries.transcript(session: original).title, rerunTitle: try? queries.transcript(session: rerun).title)
    }

    func recordedSession(_ id: String) throws -> RecordedSession? {
        try readSession(id, in: try sessionFiles(id))?.recorded
    }

    /// The session read from `files` (its folders' files, from `sessionFiles`).
    func recordedSession(_ id: String, in files: [String]) throws -> RecordedSession? {
        try readSession(id, in: files)?.recorded
    }

    /// The session and its turns read from `files`, or from the cache while they are unchanged.
    func readSession(_ id: String, in files: [String]) throws -> ReadSession? {
        guard !files.isEmpty else { return nil }
        return try sessions.session(id, files: files) {
            try RecordedArchive.load(files: files, selection: SessionSelection(sessions: [id])).sessions.first.map(ReadSession.init)
        }
    }

    /// The archive files of the folders the index places a session in (whole folders, so
    /// revisits find their originals).
    func sessionFiles(_ id: String) throws -> [String] {
        try folders(holding: id).sorted().flatMap { folder in
            if let storeFolders, storeFolders.holds(folder) { return storeFolders.localFiles(ofFolder: folder) }
            return try RecordedArchive.archiveFiles(under: folder)
        }
    }

    /// The folders the index places a session's files in.
    private func folders(holding id: String) throws -> Set<String> {
        Set(try queries.files(holdingSessions: [id]).map(Self.folder(of:)))
    }

    /// The folder part of a path the index keeps: by its last `/`, as `NSString` would give it
    /// for a local path, without making `s3://` into `s3:/`.
    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[..<slash])
    }

    /// Before a page reads a session's files: with a store, its folders are fetched and linked
    /// (what the store no longer holds is unlinked). Nothing to do on a root.
    func prepare(session id: String) async throws {
        guard let storeFolders else { return }
        var folders = try folders(holding: id)
        // A rerun's page shows its original beside it.
        if let original = try queries.rerunLinks(of: id).original { folders.formUnion(try self.folders(holding: original)) }
        try await storeFolders.prepare(folders)
    }

    /// A path under the archive root as the root-relative path shown.
    private func relative(_ path: String) -> String {
        let prefix = root.hasSuffix("/") ? root : root + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : (path as NSString).lastPathComponent
    }

    /// A body as text: JSON pretty-printed, anything else as UTF-8 (invalid bytes replaced).
    static func readable(_ body: [UInt8]) -> String {
        guard !body.isEmpty else { return "" }
        if let object = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]),
            let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        {
            return String(decoding: pretty, as: UTF8.self)
        }
        return String(decoding: body, as: UTF8.self)
    }

    /// A value quoted for a POSIX shell when it holds anything but safe characters.
    static func shellQuoted(_ value: String) -> String {
        let safe = value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./:@".contains($0)) }
        return safe && !value.isEmpty ? value : singleQuoted(value)
    }

    /// A value single-quoted for a POSIX shell, whatever it holds.
    static func singleQuoted(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
