import AomiAPI
import AomiSimulator
import AsyncHTTPClient
import Foundation
import HTTPServing
import Hummingbird
import TestSupport
import Testing

@testable import ArchiveIndex

/// The search language on a recorded archive of known chats, indexed into both stores: what
/// people type finds the sessions that hold it, or gets the documented message, and never an
/// FTS5, `tsquery` or SQL error.
@Suite(.serialized) struct SearchLanguageTests {
    static let walletA = "0x1111111111111111111111111111111111111111"
    static let walletB = "0x2222222222222222222222222222222222222222"

    /// Session id, wallet, title, date of its messages, and its messages (sender, content).
    static let chats: [(session: String, wallet: String, title: String, date: String, messages: [(String, String)])] = [
        (
            "pairs", walletA, "ETH/USDC swap", "2026-01-10T10:00:00Z",
            [
                ("user", "Swap 1 ETH/USDC please"), ("agent", "Quoted USDC-ETH at 2,080.55 per ETH; the price: ETH is rising."),
                ("agent", "Done, swap! tx 0x4e8b6b50a1c2d3e4f5061728394a5b6c7d8e9f00112233445566778899aabbcc"),
            ]
        ),
        (
            "staking", walletA, "Staking rewards", "2026-03-01T10:00:00Z",
            [("user", "How does staking work?"), ("agent", "Staking locks your tokens and rewards accrue daily."), ("system", "Wallet rejected the swap request")]
        ),
        (
            "intl", walletB, "Préstamo ETH", "2026-05-20T10:00:00Z",
            [("user", "¿Cuál es el precio de ETH? 以太坊 价格 🚀"), ("agent", "El precio es 2080 USDC. NEAR and AND are plain words here.")]
        ),
        (
            "quotes", walletB, "Quotes", "2026-05-21T10:00:00Z",
            [("user", #"don't panic: O'Brien's "best" rate"#), ("agent", "column: price; SELECT * FROM messages; DROP TABLE messages; -- staking")]
        ),
        // A NUL (JSON "\u0000"), which PostgreSQL text cannot hold: the message is kept and found.
        ("nul", walletB, "Nul", "2026-05-22T10:00:00Z", [("user", "null\u{0}byte kept")]),
        // The same notice three times in one session: one hit with its count.
        (
            "repeats", walletB, "Fees", "2026-06-01T10:00:00Z",
            [("system", "Gas fees are high"), ("user", "what about the gas fee?"), ("system", "Gas fees are high"), ("system", "Gas fees are high")]
        ),
    ]

    /// The recorded chats, made once for the suite, and their index in each store.
    static let archive = Task { try await recordChats() }
    static let sqlite = Task { try await index(into: .sqlite) }
    static let postgres = Task { try await index(into: .postgres) }

    static func index(into backend: IndexBackend) async throws -> ArchiveQueries {
        let root = try await archive.value
        let location = try await backend.newIndex(in: root)
        _ = try ArchiveIndexer(database: ArchiveDatabase(location: location), root: root).run()
        return ArchiveQueries(database: try ArchiveDatabase.openExisting(location: location))
    }

    static func recordChats() async throws -> String {
        let router = Router()
        router.get("/api/state") { request, _ in
            let session = request.headers[.init("X-Session-Id")!] ?? ""
            guard let chat = chats.first(where: { $0.session == session }) else { return Response.json(Array("{}".utf8), status: .notFound) }
            let messages = chat.messages.map { ChatMessage(sender: $0.0, content: $0.1, timestamp: chat.date) }
            return Response.json(JSONCoding.encode(SessionSnapshot(messages: messages, title: chat.title)))
        }
        let upstream = try await ApplicationServer.start(router: router)
        let fixture = try await RecordingFixture.start(upstream: upstream.baseURL, recorderID: "search-language")
        TemporaryDirectory.removeAtExit(fixture.root)
        for chat in chats {
            var request = HTTPClientRequest(url: fixture.server.baseURL + "/api/state?public_key=\(chat.wallet)")
            request.headers.add(name: "X-Session-Id", value: chat.session)
            let response = try await fixture.client.execute(request, timeout: .seconds(60))
            _ = try await response.body.collect(upTo: 1 << 20)
            #expect(response.status == .ok)
        }
        try await fixture.stop()
        await upstream.stop()
        return fixture.root
    }

    /// What a query gives: the sessions of its hits, or the error's text.
    static func outcome(_ text: String, _ backend: IndexBackend) async throws -> Result<Set<String>, IndexError> {
        let queries = try await (backend == .sqlite ? sqlite : postgres).value
        do {
            return .success(Set(try queries.search(SearchQuery(text: text, limit: 100)).map(\.session)))
        } catch {
            return .failure(error)
        }
    }

    static let found: [(String, Set<String>)] = [
        ("ETH/USDC", ["pairs"]), ("USDC-ETH", ["pairs"]), ("price:ETH", ["pairs"]), ("2,080.55", ["pairs"]), ("swap!", ["pairs", "staking"]),
        ("staking -swap", ["staking", "quotes"]), ("0x4e8b6b50", ["pairs"]), ("0x4E8B6B50", ["pairs"]), (#""the swap""#, ["staking"]),
        ("eth OR staking", ["pairs", "intl", "staking", "quotes"]), ("(eth OR usdc) -swap", ["pairs", "intl"]), ("swa*", ["pairs", "staking"]),
        ("stak*", ["staking", "quotes"]), ("from:user staking", ["staking"]), ("from:agent staking", ["staking", "quotes"]), ("from:system", ["staking", "repeats"]),
        ("wallet:\(walletA) eth", ["pairs"]), ("wallet:\(walletB) eth", ["intl"]), ("session:staking swap", ["staking"]), ("title:rewards", ["staking"]),
        ("title:eth precio", ["intl"]), ("after:2026-05-01 eth", ["intl"]), ("before:2026-02-01 eth", ["pairs"]), ("NEAR", ["intl"]),
        ("AND", ["staking", "intl"]), ("NEAR AND", ["intl"]), ("column:", ["quotes"]), ("column: price", ["quotes"]), ("don't", ["quotes"]),
        ("O'Brien's", ["quotes"]), (#""best" rate"#, ["quotes"]), ("以太坊", ["intl"]), ("🚀 eth", ["pairs", "intl"]), ("Cuál", ["intl"]),
        ("cual", ["intl"]), ("SELECT * FROM messages; DROP TABLE messages; --", ["quotes"]), ("x' OR 1=1", []), ("eth NOT swap", ["pairs", "intl"]),
        ("rewards AND daily", ["staking"]), ("rock OR", []), ("staking)", ["staking", "quotes"]), ("ETH/usdc please", ["pairs"]),
        (#""eth usdc"*"#, ["pairs"]), ("FROM:AGENT daily", ["staking"]), (Array(repeating: "eth", count: 500).joined(separator: " "), ["pairs", "intl"]),
        ("\t eth \n", ["pairs", "intl"]), ("ÉTH", ["pairs", "intl"]), ("eth -(swap OR precio)", ["pairs"]), ("byte", ["nul"]),
        (#""null byte""#, ["nul"]),
        // English inflections: singular and plural, past and -ing forms, in phrases too.
        ("gas fee", ["repeats"]), (#""gas fee""#, ["repeats"]), ("fees", ["repeats"]), (#""gas fees""#, ["repeats"]), ("swapped", ["pairs", "staking"]),
        ("swapping", ["pairs", "staking"]), ("rewarded", ["staking"]), ("locking", ["staking"]), (#""reward accrues""#, ["staking"]),
        ("rejects", ["staking"]), ("quoting", ["pairs"]), ("the", ["pairs", "staking", "repeats"]),
        // A hex start of 6 digits or more also finds the messages of the wallets it begins.
        ("0x11111111", ["pairs", "staking"]), ("0x222222 eth", ["intl"]), ("0x2222222 fees", ["repeats"]), ("wallet:0x111111 swap", ["pairs", "staking"]),
        ("wallet:0x2222222 staking", ["quotes"]), ("wallet:0X111111 daily", ["staking"]),
    ]

    @Test(arguments: IndexBackend.testable, found)
    func aQueryFindsTheSessionsThatHoldIt(backend: IndexBackend, query: (text: String, expected: Set<String>)) async throws {
        let outcome = try await Self.outcome(query.text, backend)
        #expect(try outcome.get() == query.expected, "\(query.text)")
    }

    static let refused: [(String, String)] = [
        ("*", "nothing to look for"), ("-", "nothing to look for"), ("", "nothing to look for"), ("🚀", "nothing to look for"), (":)", "nothing to look for"),
        ("-swap", "-word only excludes"), ("(eth", "parenthesis at position 1 is never closed"), ("\"eth", "quote at position 1 is never closed"),
        ("eth )", "closing parenthesis at position 5"), ("eth OR -swap", "cannot be an alternative"), ("-from:agent eth", "cannot be excluded"),
        ("(from:agent eth)", "inside parentheses"), ("from:bot eth", "from: takes user, agent or system"), ("wallet:notawallet eth", "0x and 40 hex digits"),
        ("after:yesterday eth", "a time is"), ("after:99999999999d eth", "within the years 1 to 9999"), ("before:1e9w", "within the years 1 to 9999"),
        ("wallet:\(walletA) wallet:\(walletB) eth", "a message is in one wallet"),
        (String(repeating: "(", count: 20) + "eth" + String(repeating: ")", count: 20), "nest deeper than 16"),
        (String(repeating: "a ", count: 2_500), "at most 4000 are searched"), ("price) OR (swap", "parenthesis at position 11 is never closed"),
        ("title:", "title: needs a value right after the colon (title:swap)"), ("eth wallet: swap", "wallet: needs a value"),
        ("wallet:0x11111 eth", "or its first 6 or more"), ("after:99999999d eth", "within the years 1 to 9999"),
    ]

    @Test(arguments: IndexBackend.testable, refused)
    func aQueryThatCannotRunSaysWhatToType(backend: IndexBackend, query: (text: String, message: String)) async throws {
        let outcome = try await Self.outcome(query.text, backend)
        guard case let .failure(error) = outcome, case .invalidQuery = error else {
            Issue.record("\(query.text) gave \(outcome)")
            return
        }
        #expect(error.description.contains(query.message), "\(error)")
        #expect(!["fts5", "tsquery", "syntax error", "no such column", "SQL"].contains { error.description.contains($0) })
    }

    /// A `session:` or `wallet:` that the index does not know says so, rather than no hits.
    @Test(arguments: IndexBackend.testable) func anUnknownSessionOrWalletIsNamed(_ backend: IndexBackend) async throws {
        for (text, message) in [
            ("session:nope eth", "no session nope in the index"), ("wallet:0x333333 eth", "no wallet in the index begins with 0x333333"),
            ("wallet:0x\(String(repeating: "3", count: 40)) eth", "no thread of wallet 0x3333"),
        ] {
            let outcome = try await Self.outcome(text, backend)
            guard case let .failure(error) = outcome else {
                Issue.record("\(text) gave \(outcome)")
                continue
            }
            #expect(error.description.contains(message), "\(text): \(error)")
        }
    }

    /// Identical messages of one session are one hit with their count; the totals count
    /// every message and session matched, the same on both stores.
    @Test(arguments: IndexBackend.testable) func identicalHitsFoldAndTotalsCountEveryMatch(_ backend: IndexBackend) async throws {
        let queries = try await (backend == .sqlite ? Self.sqlite : Self.postgres).value
        let hits = try queries.search(SearchQuery(text: "gas fees", limit: 100))
        #expect(hits.map(\.copies).sorted() == [1, 3], "\(hits)")
        #expect(hits.first { $0.copies == 3 }?.position == 0, "the folded hit is the first of its copies")
        #expect(try queries.searchCounting(SearchQuery(text: "gas fees")).totals == SearchTotals(messages: 4, sessions: 1, isCapped: false, hits: 2))
        #expect(try queries.totals(SearchQuery(text: "gas fees")) == SearchTotals(messages: 4, sessions: 1, isCapped: false, hits: 2))
        #expect(try queries.totals(SearchQuery(text: "swap")) == SearchTotals(messages: 3, sessions: 2, isCapped: false, hits: 3))
        #expect(try queries.totals(SearchQuery(text: "from:system")) == SearchTotals(messages: 4, sessions: 2, isCapped: false, hits: 2))
        #expect(SearchTotals(messages: 1, sessions: 1, isCapped: false).summary == "1 message in 1 session")
        #expect(SearchTotals(messages: 2000, sessions: 40, isCapped: true).summary == "2,000+ messages in 40 sessions")
    }

    @Test func inflectionsAreRegularEnglishForms() {
        #expect(Inflections.forms(of: "fee") == ["fee", "fees"])
        #expect(Set(Inflections.forms(of: "swap")).isSuperset(of: ["swap", "swaps", "swapped", "swapping"]))
        #expect(Inflections.forms(of: "swapped").contains("swap") && Inflections.forms(of: "swapping").contains("swapped"))
        #expect(Set(Inflections.forms(of: "policies")).isSuperset(of: ["policy", "policies"]))
        #expect(Inflections.forms(of: "staking").contains("stake") && Inflections.forms(of: "taxes").contains("tax"))
        #expect(Inflections.forms(of: "the") == ["the"] && Inflections.forms(of: "0x4e8b6b50") == ["0x4e8b6b50"])
        #expect(Inflections.forms(of: "Gas").first == "gas" && !Inflections.forms(of: "fee").contains("feed"))
    }

    @Test func theParsedQueryEchoesHowItWasUnderstood() throws {
        #expect(try ParsedQuery("ETH/USDC staking -swap from:user").understood == #""ETH USDC" staking -swap from:user"#)
        #expect(try ParsedQuery("(eth OR usdc) -\"gas fee\" 0x4e8b6b50").understood == #"(eth OR usdc) -"gas fee" 0x4e8b6b50*"#)
        #expect(try ParsedQuery("title:Swap after:2026-01-01").understood == "after:2026-01-01T00:00:00.000000Z title:swap")
    }

    /// Random printable text (ASCII, punctuation heavy, with some accents, CJK and emoji)
    /// never crashes and never gives an error other than the documented ones.
    @Test(arguments: IndexBackend.testable) func randomTextGivesHitsOrADocumentedMessage(_ backend: IndexBackend) async throws {
        let alphabet: [String] =
            Array(#"abcdefXYZ019 "'()-*:/,.!?;&|\{}[]^~`_#%=+<>@$ORANDNOTNEARéü以🚀"#).map(String.init)
            + ["OR ", "AND ", "NOT ", "from:", "title:", "after:", "wallet:", "\t"]
        var random = SeededRandom(seed: 0x5EED)
        let documented = [
            "nothing to look for", "never closed", "has no opening one", "nest deeper", "at most 4000", "-word only excludes", "cannot be an alternative",
            "cannot be excluded", "inside parentheses", "from: takes", "0x and 40 hex digits", "a time is", "title: needs a word", "a message is in one",
            "needs a value right after the colon",
        ]
        for _ in 0..<1_500 {
            let length = Int(random.next() % 24)
            let text = (0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }.joined()
            guard case let .failure(error) = try await Self.outcome(text, backend) else { continue }
            guard case .invalidQuery = error, documented.contains(where: { error.description.contains($0) }) else {
                Issue.record("\(text.debugDescription) gave an undocumented error: \(error)")
                continue
            }
        }
    }
}
