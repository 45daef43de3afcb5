import AomiAPI
import AomiSimulator
import Foundation
import GRDB
import TestSupport
import Testing
import WARC

@testable import ArchiveIndex

/// A message's time in the conversation: its own timestamp in the forms a backend sends,
/// capture time where it has none, kept through migrations and used by threads, show and search.
@Suite struct ConversationTimeTests {
    /// Backends stamp whole seconds: an agent answer stamped `…:23Z` that arrived after the
    /// tool events of `…:23.318` goes after them, not before (its capture time orders it).
    @Test func aWholeSecondMessageGoesAfterTheEventsItFollowed() {
        let user = Transcript.Entry(
            kind: .message, time: "2026-12-05T09:06:23.000000Z", label: "user", text: "price?", position: 0, firstSeen: "2026-12-05T09:06:23.100000Z")
        let agent = Transcript.Entry(
            kind: .message, time: "2026-12-05T09:06:23.000000Z", label: "agent", text: "2,080", position: 1, firstSeen: "2026-12-05T09:06:23.412000Z")
        let late = Transcript.Entry(
            kind: .message, time: "2026-12-05T09:06:20.000000Z", label: "agent", text: "late stamp", position: 2, firstSeen: "2026-12-05T09:06:29.000000Z")
        let tool = Transcript.Entry(kind: .event, time: "2026-12-05T09:06:23.318000Z", label: "tool_complete", text: "{}")
        let order = Transcript.interleave(messages: [user, agent, late], others: [tool]).map(\.text)
        #expect(order == ["price?", "{}", "2,080", "late stamp"])
        #expect(Transcript.isWholeSecond("2026-12-05T09:06:23.000000Z") && Transcript.isWholeSecond("2026-12-05T09:06:23Z"))
        #expect(!Transcript.isWholeSecond("2026-12-05T09:06:23.318000Z"))
    }

    @Test(arguments: [
        ("2026-11-29T19:47:07Z", "2026-11-29T19:47:07.000000Z"),
        ("2026-11-29T19:47:07.316932Z", "2026-11-29T19:47:07.316932Z"),
        ("2026-11-29T19:47:07.3Z", "2026-11-29T19:47:07.300000Z"),
        ("2026-11-29T19:47:07.316932789Z", "2026-11-29T19:47:07.316932Z"),
        ("2026-11-29T19:47:07.316932+00:00", "2026-11-29T19:47:07.316932Z"),
        ("2026-11-29T20:47:07+01:00", "2026-11-29T19:47:07.000000Z"),
        ("2026-11-29T14:17:07-0530", "2026-11-29T19:47:07.000000Z"),
        ("2026-11-29T21:47:07+02", "2026-11-29T19:47:07.000000Z"),
        ("2026-11-29 19:47:07", "2026-11-29T19:47:07.000000Z"),
        ("2026-11-29 19:47:07.5 UTC", "2026-11-29T19:47:07.500000Z"),
        ("2026-11-29T19:47:07", "2026-11-29T19:47:07.000000Z"),
        ("2026-11-29t19:47z", "2026-11-29T19:47:00.000000Z"),
        ("2026-11-29", "2026-11-29T00:00:00.000000Z"),
        (" 2026-11-29T19:47:07Z ", "2026-11-29T19:47:07.000000Z"),
        ("1795981627", "2026-11-29T19:47:07.000000Z"),
        ("1795981627.25", "2026-11-29T19:47:07.250000Z"),
        ("1795981627316", "2026-11-29T19:47:07.316000Z"),
        ("1795981627316932", "2026-11-29T19:47:07.316932Z"),
        ("1795981627316932000", "2026-11-29T19:47:07.316932Z"),
        ("Sun, 29 Nov 2026 19:47:07 GMT", "2026-11-29T19:47:07.000000Z"),
        ("29 Nov 2026 20:47:07 +0100", "2026-11-29T19:47:07.000000Z"),
    ])
    func aTimestampInAKnownFormIsReadAsItsInstant(text: String, expected: String) {
        #expect(ConversationTime.parse(text) == expected)
    }

    @Test(arguments: [
        "", "   ", "now", "yesterday", "12:34", "2026-13-01T00:00:00Z", "2026-11-32", "2026-11-29T25:00:00Z", "2026-11-29T19:47:07+25:00",
        "2026-11-29T19:47:07Zjunk", "2026/11/29 19:47:07", "0", "-1795981627", "1e9", "1969-12-31T23:59:59Z", "2300-01-01T00:00:00Z",
        "Sun, 29 Foo 2026 19:47:07 GMT", String(repeating: "9", count: 80),
    ])
    func anythingElseIsNoTime(text: String) {
        #expect(ConversationTime.parse(text) == nil)
    }

    @Test func aNumericTimestampIsKeptAndAnOddOneDoesNotLoseTheMessage() {
        let numeric = MessageScanner.fields(of: Array(#"{"sender":"user","content":"hi","timestamp":1795981627316}"#.utf8)[...])
        #expect(numeric?.timestamp == "1795981627316")
        let object = Array(#"{"sender":"user","content":"hi","timestamp":{"at":1}}"#.utf8)[...]
        #expect(MessageScanner.fields(of: object) == nil, "the scanner hands an odd message to the decoder")
        let decoded = try? JSONCoding.decode(ChatMessage.self, from: object)
        #expect(decoded?.content == "hi" && decoded?.timestamp == nil, "which keeps the message without a time")
    }

    @Test func messagesKeepThreadOrderAndEventsFallBetweenThemByTime() {
        func entry(_ kind: Transcript.Kind, _ time: String, _ text: String) -> Transcript.Entry {
            Transcript.Entry(kind: kind, time: time, label: "x", text: text)
        }
        let messages = [entry(.message, "2026-01-01T10:00:00Z", "m1"), entry(.message, "2026-01-01T09:00:00Z", "m2"), entry(.message, "2026-01-01T12:00:00Z", "m3")]
        let others = [
            entry(.event, "2026-01-01T11:00:00Z", "e2"), entry(.event, "2026-01-01T08:00:00Z", "e0"), entry(.title, "2026-01-01T10:00:00Z", "t1"),
            entry(.event, "2026-01-01T13:00:00Z", "e3"),
        ]
        #expect(Transcript.interleave(messages: messages, others: others).map(\.text) == ["e0", "m1", "m2", "t1", "e2", "m3", "e3"])
    }

    // MARK: Recorded traffic

    /// Records a driven thread whose messages are dated `age` ago in `form`, and indexes it.
    private func recorded(
        _ form: MessageTimestamps.Form, age: Duration, into backend: IndexBackend = .sqlite
    ) async throws -> (RecordingFixture, ArchiveQueries, DriverReport) {
        let fixture = try await RecordingFixture.start(simulator: .fast(timestamps: MessageTimestamps(form: form, age: age)), recorderID: "time-\(form.rawValue)")
        let report = try await fixture.drive(wallets: 1, threads: 1, messages: 2)
        try await fixture.stop()
        #expect(report.errors.isEmpty, "\(report.errors)")
        let location = backend == .sqlite ? fixture.databasePath : try await backend.newIndex(in: fixture.root)
        _ = try ArchiveIndexer(database: ArchiveDatabase(location: location), root: fixture.root).run()
        return (fixture, ArchiveQueries(database: try ArchiveDatabase.openExisting(location: location)), report)
    }

    private func instant(_ text: String) throws -> Date {
        try #require(WARCDate(parsing: text)).date
    }

    @Test(.timeLimit(.minutes(10)), arguments: IndexBackend.testable, [MessageTimestamps.Form.iso8601, .rfc3339Micros, .unixMillis])
    func threadsShowAndSearchUseTheMessagesOwnTimes(backend: IndexBackend, form: MessageTimestamps.Form) async throws {
        let tenDays: Double = 10 * 86_400
        let (fixture, queries, report) = try await recorded(form, age: .seconds(tenDays), into: backend)
        defer { fixture.remove() }
        let thread = try #require(report.threads.first)
        let now = Date()
        let messages = try queries.transcript(session: thread.sessionID).entries.filter { $0.kind == .message }
        #expect(messages.count == thread.messages.count)
        for message in messages {
            let said = try instant(message.time)
            let seen = try instant(try #require(message.firstSeen))
            #expect(abs(now.timeIntervalSince(said) - tenDays) < 600, "\(message.time) is the message's own time, ten days ago")
            #expect(abs(now.timeIntervalSince(seen)) < 600, "\(message.firstSeen ?? "") is when it was recorded")
            #expect(message.timestamp != nil)
        }
        let listing = try #require(try queries.threads(wallet: thread.wallet).first)
        #expect(listing.firstActivity == messages.map(\.time).min() && listing.lastActivity == messages.map(\.time).max())
        #expect(abs(now.timeIntervalSince(try instant(try #require(listing.lastSeen)))) < 600)

        let word = try #require(thread.sentMessages.first?.split(separator: " ").first.map(String.init))
        let recent = try queries.search(SearchQuery(text: word, session: thread.sessionID, since: try TimeExpression.parse("7d")))
        let older = try queries.search(SearchQuery(text: word, session: thread.sessionID, until: try TimeExpression.parse("7d")))
        #expect(recent.isEmpty, "nothing was said in the last seven days")
        #expect(!older.isEmpty && older.allSatisfy { hit in messages.contains { $0.time == hit.time } })
    }

    @Test(.timeLimit(.minutes(10)), arguments: IndexBackend.testable)
    func aMessageWithoutTimestampHasItsCaptureTime(_ backend: IndexBackend) async throws {
        let (fixture, queries, report) = try await recorded(.none, age: .zero, into: backend)
        defer { fixture.remove() }
        let messages = try queries.transcript(session: try #require(report.threads.first).sessionID).entries.filter { $0.kind == .message }
        #expect(!messages.isEmpty)
        #expect(messages.allSatisfy { $0.timestamp == nil && $0.time == $0.firstSeen })
    }

    @Test(.timeLimit(.minutes(10)))
    func anIndexFromBeforeConversationTimesIsMigratedInPlace() async throws {
        let (fixture, queries, report) = try await recorded(.iso8601, age: .seconds(3 * 86_400))
        defer { fixture.remove() }
        let session = try #require(report.threads.first).sessionID
        let before = try queries.transcript(session: session)
        let threadsBefore = try queries.threads(wallet: try #require(report.threads.first).wallet)
        let queue = try DatabaseQueue(path: fixture.databasePath)
        try await queue.write { db in
            try db.execute(
                sql: """
                    DROP VIEW chat_messages;
                    DROP INDEX sessions_wallet;
                    ALTER TABLE messages DROP COLUMN time;
                    ALTER TABLE sessions DROP COLUMN first_activity;
                    ALTER TABLE sessions DROP COLUMN last_activity;
                    CREATE VIEW chat_messages AS SELECT m.session FROM messages m;
                    DELETE FROM grdb_migrations WHERE identifier = 'v3: conversation time';
                    PRAGMA user_version = 2;
                    """)
        }
        try queue.close()
        let migrated = try ArchiveDatabase(path: fixture.databasePath)
        #expect(try ArchiveQueries(database: migrated).transcript(session: session) == before)
        #expect(try ArchiveQueries(database: migrated).threads(wallet: try #require(report.threads.first).wallet) == threadsBefore)
        let (version, viewColumns) = try await DatabaseQueue(path: fixture.databasePath).read { db in
            (try Int.fetchOne(db, sql: "PRAGMA user_version"), try db.columns(in: "chat_messages").map(\.name))
        }
        #expect(version == 3)
        #expect(viewColumns.contains("time") && viewColumns.contains("first_seen"))
    }
}
