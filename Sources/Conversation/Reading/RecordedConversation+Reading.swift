import AomiAPI
import AomiArchive
import Foundation
import WARC

extension RecordedConversation {
    /// Reads a recorded session: live sessions turn by turn from their chat requests, polls and
    /// updates channel; a crawled one from its transcript. `unattributed` are exchanges that
    /// named no session: the real client registers its secrets before its first chat request,
    /// without `X-Session-Id`, so they are found by the session's `client_id`.
    public init(_ session: RecordedSession, unattributed: [RecordedExchange] = []) {
        var reader = ConversationReader(session: session)
        reader.read()
        reader.takeSecrets(of: unattributed)
        self = reader.conversation()
    }
}

/// Walks a session's exchanges in arrival order and gathers its conversation.
struct ConversationReader {
    let session: RecordedSession
    private var steps: [UserStep] = []
    private var turns: [TurnRecord] = []
    private var answers: [WalletVerdict] = []
    /// Each answer's proof (nil for a rejection) and when it was sent, in order.
    private var answerRecords: [(proof: String?, date: WARCDate)] = []
    private var proofs: [String] = []
    private var secretNames: [String] = []
    private var secretHeaders: Set<String> = []
    private var pendingWalletRequests = 0
    /// Polls of the session so far, and the count when each unanswered wallet request was seen.
    private var polls = 0
    private var requestSeenAtPoll: [Int] = []
    private var answerWaits: [Int] = []
    /// When each poll was sent and answered, to tell the client's poll interval.
    private var pollDates: [(sent: WARCDate, answered: WARCDate)] = []
    private var transcript: SessionSnapshot?
    private var summaryTitle: String?
    private var history: [WalletRequestSummary] = []
    private var updates: [(date: WARCDate, event: UpdateEvent)] = []
    private var hasUpdatesChannel = false
    private var clientIDs: Set<String> = []

    /// One turn as the walk finds it.
    struct TurnRecord {
        var user: UserTurn
        var start: WARCDate
        var end: WARCDate?
        var firstText: WARCDate?
        var polls = 0
        var pollsBeforeFirstText: Int?
        var walletRequests: [WalletRequestSummary] = []
        /// When each wallet request was first seen.
        var walletRequestDates: [WARCDate] = []
        var notices: [String] = []
        var errors: [String] = []
    }

    init(session: RecordedSession) {
        self.session = session
    }

    mutating func read() {
        for exchange in session.exchanges {
            noteSecretHeaders(exchange.request)
            take(exchange)
        }
    }

    private mutating func take(_ exchange: RecordedExchange) {
        let request = exchange.request
        let parameters = QueryString.parameters(of: request.target)
        func parameter(_ name: String) -> String? { parameters.first { $0.name == name }?.value }
        switch (request.method, request.path) {
        case ("POST", AomiPath.chat):
            if let clientID = parameter("client_id") { clientIDs.insert(clientID) }
            let user = UserTurn(message: parameter("message") ?? "", app: parameter("app"), publicKey: parameter("public_key"), userState: parameter("user_state"))
            steps.append(.chat(user))
            turns.append(TurnRecord(user: user, start: request.date))
            takeSnapshot(exchange, isPoll: false)
        case ("GET", AomiPath.state), ("POST", AomiPath.interrupt):
            takeSnapshot(exchange, isPoll: request.path == AomiPath.state)
        case ("POST", AomiPath.system):
            takeSystemMessage(parameter("message"), exchange)
        case ("POST", AomiPath.model):
            if let rig = parameter("rig") { steps.append(.chooseModel(rig)) }
        case ("POST", AomiPath.secrets):
            takeSecrets(request.body)
        case ("GET", AomiPath.events):
            if let snapshot = try? JSONCoding.decode([JSONValue].self, from: exchange.answer.head.body) {
                history += snapshot.compactMap(WalletRequestSummary.init(systemEvent:))
            }
        case ("GET", _) where request.path.hasPrefix(AomiPath.sessions + "/"):
            if let summary = try? JSONCoding.decode(ThreadSummary.self, from: exchange.answer.head.body) { summaryTitle = summary.title }
        default:
            break
        }
        if case let .stream(stream) = exchange.answer {
            hasUpdatesChannel = true
            var parser = ServerSentEventParser()
            for event in stream.events {
                for message in parser.feed(event.bytes) {
                    if let update = message.updateEvent { updates.append((event.date, update)) }
                }
            }
        }
    }

    /// A chat answer or a poll: the turn's wallet requests, notices and errors, when text first
    /// showed, and whether the turn is over.
    private mutating func takeSnapshot(_ exchange: RecordedExchange, isPoll: Bool) {
        let response = exchange.answer.head
        guard let index = turns.indices.last else {
            if let snapshot = try? JSONCoding.decode(SessionSnapshot.self, from: response.body) { keepTranscript(snapshot) }
            return
        }
        if isPoll {
            polls += 1
            pollDates.append((exchange.request.date, exchange.answer.head.date))
            if turns[index].end == nil { turns[index].polls += 1 }
        }
        guard (200..<300).contains(response.status) else {
            let miss = response.fields.contains { $0.name.lowercased() == "x-aomi-replay" && $0.value == "miss" }
            turns[index].errors.append((miss ? "replay miss: " : "") + "HTTP \(response.status) \(exchange.request.method) \(exchange.request.path)")
            return
        }
        guard let snapshot = try? JSONCoding.decode(SessionSnapshot.self, from: response.body) else { return }
        keepTranscript(snapshot)
        for event in snapshot.systemEvents {
            if let request = WalletRequestSummary(systemEvent: event) {
                turns[index].walletRequests.append(request)
                turns[index].walletRequestDates.append(response.date)
                pendingWalletRequests += 1
                requestSeenAtPoll.append(polls)
            } else if let notice = event["SystemNotice"]?.stringValue {
                turns[index].notices.append(notice)
            } else if let error = event["SystemError"]?.stringValue {
                turns[index].errors.append(error)
            }
        }
        if turns[index].firstText == nil, Self.hasAgentText(snapshot, afterUserMessage: index) {
            turns[index].firstText = response.date
            turns[index].pollsBeforeFirstText = turns[index].polls
        }
        if turns[index].end == nil, !snapshot.isProcessing, pendingWalletRequests == 0 { turns[index].end = response.date }
    }

    private mutating func takeSystemMessage(_ message: String?, _ exchange: RecordedExchange) {
        guard let message, message.hasPrefix("{"), let json = try? JSONCoding.decode(JSONValue.self, from: Array(message.utf8)),
            let type = json["type"]?.stringValue, type == "wallet:tx_complete" || type == "wallet_eip712_response"
        else { return }
        let payload = json["payload"] ?? .null
        let proof = (payload["txHash"] ?? payload["signature"])?.stringValue
        let signed = (payload["status"]?.stringValue ?? "success") == "success" && proof != nil
        answers.append(signed ? .signed : .rejected)
        answerRecords.append((signed ? proof : nil, exchange.request.date))
        if !requestSeenAtPoll.isEmpty { answerWaits.append(polls - requestSeenAtPoll.removeFirst()) }
        if let proof { proofs.append(proof) }
        pendingWalletRequests = max(0, pendingWalletRequests - 1)
        if let index = turns.indices.last, let snapshot = try? JSONCoding.decode(SessionSnapshot.self, from: exchange.answer.head.body) {
            keepTranscript(snapshot)
            if turns[index].end == nil, !snapshot.isProcessing, pendingWalletRequests == 0 { turns[index].end = exchange.answer.head.date }
        }
    }

    /// The secrets this session's client registered without naming the session.
    mutating func takeSecrets(of unattributed: [RecordedExchange]) {
        for exchange in unattributed where exchange.request.method == "POST" && exchange.request.path == AomiPath.secrets {
            guard let json = try? JSONCoding.decode(JSONValue.self, from: exchange.request.body), let clientID = json["client_id"]?.stringValue,
                clientIDs.contains(clientID)
            else { continue }
            noteSecretHeaders(exchange.request)
            takeSecrets(exchange.request.body)
        }
    }

    private mutating func takeSecrets(_ body: [UInt8]) {
        guard let json = try? JSONCoding.decode(JSONValue.self, from: body), let values = json["secrets"]?.objectValue else { return }
        for name in values.keys.sorted() where !secretNames.contains(name) { secretNames.append(name) }
    }

    private mutating func noteSecretHeaders(_ request: RecordedRequest) {
        for field in request.fields where field.value.hasPrefix("redacted:") { secretHeaders.insert(field.name) }
    }

    /// The fullest snapshot seen (the latest of equal length): the transcript turns are cut from.
    private mutating func keepTranscript(_ snapshot: SessionSnapshot) {
        if snapshot.messages.count >= (transcript?.messages.count ?? 0) { transcript = snapshot }
    }

    private static func hasAgentText(_ snapshot: SessionSnapshot, afterUserMessage turn: Int) -> Bool {
        guard let start = userMessagePositions(snapshot.messages).dropFirst(turn).first else { return false }
        return snapshot.messages[(start + 1)...].contains { $0.sender == Sender.agent && !$0.content.isEmpty }
    }

    static func userMessagePositions(_ messages: [ChatMessage]) -> [Int] {
        messages.indices.filter { messages[$0].sender == Sender.user }
    }

    // MARK: The conversation

    func conversation() -> RecordedConversation {
        let messages = transcript?.messages ?? []
        let positions = Self.userMessagePositions(messages)
        let fromTranscript = turns.isEmpty
        let records =
            fromTranscript
            ? positions.map { TurnRecord(user: UserTurn(message: messages[$0].content, publicKey: session.wallet), start: WARCDate(microsecondsSince1970: 0)) }
            : turns
        let builtSteps = fromTranscript ? records.map { UserStep.chat($0.user) } : steps
        var built: [ConversationTurn] = []
        var answered = answerRecords.makeIterator()
        for (index, record) in records.enumerated() {
            let segment: ArraySlice<ChatMessage> =
                index < positions.count ? messages[(positions[index] + 1)..<(index + 1 < positions.count ? positions[index + 1] : messages.count)] : []
            var turn = ConversationTurn(
                number: index + 1, user: record.user,
                agentMessages: segment.filter { $0.sender == Sender.agent }.map(\.content),
                systemMessages: segment.filter { $0.sender == Sender.system }.map(\.content),
                walletRequests: record.walletRequests, notices: record.notices, errors: record.errors)
            turn.tools = segment.compactMap { message in
                guard let result = message.toolResult, let topic = result.first else { return nil }
                return ToolCall(name: "tool_result " + topic, completed: true, result: result.dropFirst().first)
            }
            if !fromTranscript {
                let end = index + 1 < records.count ? records[index + 1].start : nil
                turn.toolSpans = toolSpans(from: record.start, to: end)
                turn.tools = turn.toolSpans.map { ToolCall(name: $0.name, completed: $0.end != nil, result: $0.result) } + turn.tools
                turn.notices += updates.filter { Self.isBetween($0.date, record.start, end) }
                    .compactMap { $0.event.type == UpdateEvent.Kind.systemNotice ? "update: " + ($0.event.message ?? "") : nil }
                turn.timing = TurnTiming(
                    durationSeconds: record.end.map { Self.seconds(from: record.start, to: $0) },
                    firstTextSeconds: record.firstText.map { Self.seconds(from: record.start, to: $0) }, polls: record.polls,
                    pollsBeforeFirstText: record.pollsBeforeFirstText)
                turn.start = record.start.description
                turn.end = record.end?.description
            }
            turn.walletCards = zip(record.walletRequests.indices, record.walletRequests).map { position, request in
                let seen = position < record.walletRequestDates.count ? record.walletRequestDates[position] : nil
                guard let answer = answered.next() else { return WalletCard(request: request, outcome: .unanswered, seen: seen?.description) }
                return WalletCard(
                    request: request, outcome: answer.proof == nil ? .rejected : .signed, proof: answer.proof, seen: seen?.description,
                    answered: answer.date.description, userSeconds: seen.map { Self.seconds(from: $0, to: answer.date) })
            }
            built.append(turn)
        }
        let announced = updates.last { $0.event.type == UpdateEvent.Kind.titleChanged }?.event.newTitle
        let shown = transcript?.title.flatMap { $0 == "New chat" || $0.isEmpty ? nil : $0 }
        return RecordedConversation(
            sessionID: session.id, wallet: session.wallet, rerunOf: session.rerunOf, fromTranscript: fromTranscript,
            hasUpdatesChannel: hasUpdatesChannel && !fromTranscript, steps: builtSteps, walletAnswers: answers, secretNames: secretNames,
            secretHeaders: secretHeaders.sorted(), title: announced ?? shown ?? summaryTitle, turns: built,
            sessionWalletRequests: fromTranscript ? history : [], proofs: proofs, walletAnswerWaits: answerWaits, pollInterval: shortestPollPause())
    }

    /// The tools the updates channel showed between two times, as spans: one per call, from
    /// its first event to its `tool_complete`.
    private func toolSpans(from start: WARCDate, to end: WARCDate?) -> [ToolSpan] {
        var spans: [(span: ToolSpan, began: WARCDate)] = []
        for (date, event) in updates where Self.isBetween(date, start, end) {
            guard let name = event.toolName else { continue }
            let index =
                spans.firstIndex { $0.span.name == name && $0.span.end == nil }
                ?? {
                    spans.append((ToolSpan(name: name, start: date.description), date))
                    return spans.count - 1
                }()
            if event.type == UpdateEvent.Kind.toolComplete {
                spans[index].span.end = date.description
                spans[index].span.seconds = Self.seconds(from: spans[index].began, to: date)
                spans[index].span.result = event.message
            }
        }
        return spans.map(\.span)
    }

    /// The shortest pause of the client between an answer and its next poll: about its poll
    /// interval (a busy machine lengthens it; an answer is dated once its last bytes went on to
    /// the client, which can shorten it by a few milliseconds), so it tells a client that polled
    /// faster than another; nil with fewer than three polls.
    private func shortestPollPause() -> Duration? {
        let pauses = zip(pollDates, pollDates.dropFirst()).map { $1.sent.microsecondsSince1970 - $0.answered.microsecondsSince1970 }.filter { $0 >= 0 }
        guard pauses.count >= 2, let shortest = pauses.min() else { return nil }
        return .microseconds(shortest)
    }

    /// Whether `date` falls in a turn from `start` to `end` (the next turn's start; nil: open).
    private static func isBetween(_ date: WARCDate, _ start: WARCDate, _ end: WARCDate?) -> Bool {
        guard date >= start else { return false }
        guard let end else { return true }
        return date < end
    }

    private static func seconds(from start: WARCDate, to end: WARCDate) -> Double {
        Double(max(0, end.microsecondsSince1970 - start.microsecondsSince1970)) / 1_000_000
    }
}
