import AomiArchive
import ArchiveIndex
import Conversation
import Foundation
import WARC

/// What the pages show, read: wallets, threads, transcripts and search from the index; a
/// session's exchanges from its archive files, through the replayer's reader. Nothing here
/// writes.
struct BrowserData: Sendable {
    let root: String
    let databaseLocation: String
    let queries: ArchiveQueries
    let sessions = SessionCache()

    /// Wallets shown per page of the wallets page.
    static let walletsPerPage = 500

    func wallets(page: Int) throws(IndexError) -> WalletsModel {
        let wallets = try queries.wallets(limit: Self.walletsPerPage + 1, offset: (page - 1) * Self.walletsPerPage)
        return WalletsModel(
            wallets: Array(wallets.prefix(Self.walletsPerPage)), page: page, hasMore: wallets.count > Self.walletsPerPage, indexedAt: try queries.lastIndexed())
    }

    /// A wallet's page, nil when the index has no thread of it.
    func wallet(_ address: String) throws(IndexError) -> WalletModel? {
        let threads = try queries.threads(wallet: address)
        guard !threads.isEmpty else { return nil }
        return WalletModel(wallet: address, threads: threads, titles: try queries.titles(wallet: address), activity: try queries.activity(wallet: address))
    }

    /// A session's page, nil when the index does not know it.
    func session(_ id: String) throws -> SessionModel? {
        let found = Result { () throws(IndexError) -> Transcript in try queries.transcript(session: id) }
        if case .failure(.unknownSession) = found { return nil }
        let transcript = try found.get()
        let exchanges = try recordedSession(id)?.exchanges.map(ExchangeSummary.init) ?? []
        let archives = Self.shellQuoted(root)
        let session = Self.shellQuoted(id)
        return SessionModel(
            transcript: transcript, exchanges: exchanges,
            commands: [
                "aomi-archive replay --archives \(archives) --session \(session)",
                "aomi-archive verify --archives \(archives) --session \(session)",
                "aomi-archive export --archives \(archives) --session \(session) --format har -o session.har",
            ])
    }

    /// One exchange of a session by its number, nil when there is none.
    func exchange(session id: String, sequence: Int) throws -> ExchangeModel? {
        guard let exchange = try recordedSession(id)?.exchanges.first(where: { $0.sequence == sequence }) else { return nil }
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
            events: events)
    }

    /// A page of search hits (`pageSize` per page), or why the query cannot run.
    func search(_ text: String, filters: SearchQuery, page: Int, pageSize: Int = 20) -> SearchModel {
        var model = SearchModel(query: text, understood: nil, page: page, hits: [], hasMore: false, error: nil)
        do {
            model.understood = try ParsedQuery(text).understood
            var query = filters
            query.limit = pageSize + 1
            query.offset = (page - 1) * pageSize
            let hits = try queries.search(query)
            model.hits = Array(hits.prefix(pageSize))
            model.hasMore = hits.count > pageSize
            let totals = try queries.totals(filters)
            model.totals = totals
            if model.hits.isEmpty, page > 1 {
                model.lastPage = try lastPage(of: query, pageSize: pageSize, totals: totals)
            } else {
                model.lastPage = model.hasMore ? page + 1 : page
            }
        } catch {
            model.error = "\(error)"
        }
        return model
    }

    /// The last page with hits, for a page asked for past it: hits fold identical messages
    /// of a session, so the count of messages only bounds it; the folded hits are counted.
    private func lastPage(of query: SearchQuery, pageSize: Int, totals: SearchTotals) throws(IndexError) -> Int {
        guard totals.messages > 0 else { return 1 }
        var counting = query
        counting.offset = 0
        counting.limit = totals.messages
        let hits = try queries.search(counting).count
        return max(1, (hits + pageSize - 1) / pageSize)
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
        try recordedSession(id, in: try sessionFiles(id))
    }

    /// The session read from `files` (its folders' files, from `sessionFiles`).
    func recordedSession(_ id: String, in files: [String]) throws -> RecordedSession? {
        guard !files.isEmpty else { return nil }
        return try sessions.session(id, files: files) { try RecordedArchive.load(files: files, selection: SessionSelection(sessions: [id])).sessions.first }
    }

    /// The archive files of the folders the index places a session in (whole folders, so
    /// revisits find their originals).
    func sessionFiles(_ id: String) throws -> [String] {
        let folders = Set(try queries.files(holdingSessions: [id]).map { ($0 as NSString).deletingLastPathComponent })
        return try folders.sorted().flatMap { try RecordedArchive.archiveFiles(under: $0) }
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
        return safe && !value.isEmpty ? value : "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
