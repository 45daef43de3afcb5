import AomiAPI
import AomiArchive
import ArchiveIndex
import Foundation
import Hummingbird

/// The browser's routes. Each page answers HTML, or its model as JSON with `?format=json`.
/// Every route reads; none writes to the archives.
struct BrowserRoutes: Sendable {
    let data: BrowserData

    func add(to router: Router<BasicRequestContext>) {
        router.get("/static/style.css") { _, _ in BrowserResponse.stylesheet }
        router.get("/static/icon.svg") { _, _ in BrowserResponse.icon }
        router.get("/favicon.ico") { _, _ in BrowserResponse.icon }
        router.get("/") { request, _ in try walletsPage(request) }
        router.get("/wallets/{wallet}") { request, context in try walletPage(request, context) }
        router.get("/sessions/{session}") { request, context in
            try await prepared(context)
            return try sessionPage(request, context)
        }
        router.get("/sessions/{session}/exchanges/{sequence}") { request, context in
            try await prepared(context)
            return try exchangePage(request, context)
        }
        router.get("/sessions/{session}/compare") { request, context in
            try await prepared(context)
            return try comparePage(request, context)
        }
        router.get("/sessions/{session}/export.har") { _, context in
            try await prepared(context)
            return try harDownload(context)
        }
        router.get("/sessions/{session}/export.warc.gz") { _, context in
            try await prepared(context)
            return try await warcDownload(context)
        }
        router.get("/search") { request, _ in try searchPage(request) }
        router.get("/unbound") { request, _ in try sessionlessPage(request) }
        router.get("/usage") { request, _ in try usagePage(request) }
    }

    private func wantsJSON(_ request: Request) -> Bool {
        Self.parameter("format", of: request) == "json"
    }

    /// A query parameter as a form sends it (`+` for spaces, percent-escapes decoded).
    static func parameter(_ name: String, of request: Request) -> String? {
        QueryString.value(name, in: request.uri.description)
    }

    /// A path parameter as the client meant it: percent-decoded (links encode what an id
    /// holds beyond letters, digits and `-._~`).
    static func pathParameter(_ name: String, _ context: BasicRequestContext) -> String? {
        context.parameters.get(name).map(QueryString.decodePath)
    }

    private var indexed: String? { try? data.queries.lastIndexed() }

    private func walletsPage(_ request: Request) throws -> Response {
        let model = try data.wallets(page: max(1, min(100_000, Self.parameter("page", of: request).flatMap { Int($0) } ?? 1)))
        return wantsJSON(request) ? BrowserResponse.json(model) : BrowserResponse.page(Pages.wallets(model), title: "Wallets", indexed: model.indexedAt)
    }

    private func sessionlessPage(_ request: Request) throws -> Response {
        let model = try data.sessionless()
        return wantsJSON(request)
            ? BrowserResponse.json(model) : BrowserResponse.page(Pages.sessionless(model), title: "Exchanges without a session", indexed: indexed)
    }

    private func usagePage(_ request: Request) throws -> Response {
        let text = Self.parameter("by", of: request) ?? "wallet"
        guard let grouping = ArchiveUsage.Grouping(rawValue: text) else { throw BrowserProblem.badRequest("by must be wallet or day, not \(text.prefix(40)).") }
        let model = try data.usage(by: grouping)
        return wantsJSON(request) ? BrowserResponse.json(model) : BrowserResponse.page(Pages.usage(model), title: "What is kept", indexed: indexed)
    }

    private func walletPage(_ request: Request, _ context: BasicRequestContext) throws -> Response {
        let text = Self.pathParameter("wallet", context) ?? ""
        guard let wallet = WalletAddress(text) else { throw BrowserProblem.notFound("\(text.prefix(100)) is not a wallet address (0x and 40 hex digits).") }
        guard let model = try data.wallet(wallet.value) else { throw BrowserProblem.notFound("No thread of wallet \(wallet.value) is indexed.") }
        return wantsJSON(request) ? BrowserResponse.json(model) : BrowserResponse.page(Pages.wallet(model), title: wallet.value, indexed: indexed)
    }

    private func sessionPage(_ request: Request, _ context: BasicRequestContext) throws -> Response {
        let session = try sessionID(context)
        guard let model = try data.session(session) else { throw BrowserProblem.notFound("No session \(session) is indexed.") }
        return wantsJSON(request)
            ? BrowserResponse.json(model) : BrowserResponse.page(Pages.session(model), title: model.transcript.title ?? session, indexed: indexed)
    }

    private func comparePage(_ request: Request, _ context: BasicRequestContext) throws -> Response {
        let session = try sessionID(context)
        guard let model = try data.comparison(rerun: session) else {
            throw BrowserProblem.notFound("Session \(session) is not an indexed rerun (`aomi-archive rerun`, then `index`).")
        }
        return wantsJSON(request)
            ? BrowserResponse.json(model) : BrowserResponse.page(Pages.comparison(model), title: "Rerun of \(model.comparison.original)", indexed: indexed)
    }

    private func exchangePage(_ request: Request, _ context: BasicRequestContext) throws -> Response {
        let session = try sessionID(context)
        guard let sequence = Self.pathParameter("sequence", context).flatMap({ Int($0) }), let model = try data.exchange(session: session, sequence: sequence) else {
            throw BrowserProblem.notFound("Session \(session) has no exchange \(Self.pathParameter("sequence", context)?.prefix(20) ?? "").")
        }
        return wantsJSON(request) ? BrowserResponse.json(model) : BrowserResponse.page(Pages.exchange(model), title: model.request.line, indexed: indexed)
    }

    private func harDownload(_ context: BasicRequestContext) throws -> Response {
        let session = try sessionID(context)
        guard let recorded = try data.recordedSession(session) else { throw BrowserProblem.notFound("No recorded exchange of session \(session).") }
        return BrowserResponse.download(HARExporter(sessions: [recorded]).document(), contentType: "application/json", filename: "\(Self.fileName(session)).har")
    }

    private func warcDownload(_ context: BasicRequestContext) async throws -> Response {
        let session = try sessionID(context)
        let files = try data.sessionFiles(session)
        guard try data.recordedSession(session, in: files) != nil else { throw BrowserProblem.notFound("No recorded exchange of session \(session).") }
        let temporary = NSTemporaryDirectory() + "aomi-browser-export-\(UUID().uuidString).warc.gz"
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        _ = try await WARCExporter(files: files, sessions: [session]).write(to: temporary)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: temporary)))
        return BrowserResponse.download(bytes, contentType: "application/warc", filename: "\(Self.fileName(session)).warc.gz")
    }

    private func searchPage(_ request: Request) throws -> Response {
        let value = { (name: String) -> String? in Self.parameter(name, of: request).flatMap { $0.isEmpty ? nil : $0 } }
        let text = value("q") ?? ""
        let page = max(1, min(1000, value("page").flatMap { Int($0) } ?? 1))
        var model: SearchModel
        var filters = SearchQuery(text: text, highlight: Pages.highlight)
        do {
            if let wallet = value("wallet") {
                guard let address = WalletAddress(wallet) else { throw IndexError.invalidQuery(text, reason: "wallet \(wallet.prefix(60)) is not a wallet address") }
                filters.wallet = address.value
            }
            if let sender = value("sender") {
                guard let known = MessageSender(rawValue: sender) else { throw IndexError.invalidQuery(text, reason: "from must be user, agent or system") }
                filters.sender = known
            }
            filters.since = try value("since").map { try TimeExpression.parse($0) }
            filters.until = try value("until").map { try TimeExpression.parse($0) }
            model =
                text.isEmpty && value("wallet") == nil
                ? SearchModel(query: "", understood: nil, page: 1, hits: [], hasMore: false, error: nil)
                : data.search(text, filters: filters, page: page)
        } catch {
            model = SearchModel(query: text, understood: nil, page: page, hits: [], hasMore: false, error: "\(error)")
        }
        let status: HTTPResponse.Status = model.error == nil ? .ok : .badRequest
        if wantsJSON(request) { return BrowserResponse.json(model.withPlainHighlights, status: status) }
        let body = Pages.search(model, wallet: value("wallet"), sender: value("sender"), since: value("since"), until: value("until"))
        return BrowserResponse.page(body, title: text.isEmpty ? "Search" : text, query: text, indexed: indexed, status: status)
    }

    /// The route's session's files, made local first when they are in a store.
    private func prepared(_ context: BasicRequestContext) async throws {
        try await data.prepare(session: try sessionID(context))
    }

    /// The session id of the route: at most 512 characters, no control characters (it is only
    /// ever looked up in the index, never used as a path).
    private func sessionID(_ context: BasicRequestContext) throws -> String {
        let session = Self.pathParameter("session", context) ?? ""
        guard !session.isEmpty, session.count <= 512, !session.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw BrowserProblem.notFound("That is not a session id.")
        }
        return session
    }

    /// A download's file name from a session id: letters, digits, `-` and `_` only.
    static func fileName(_ session: String) -> String {
        "session-" + String(session.unicodeScalars.filter { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_") }.prefix(80).map(Character.init))
    }
}
