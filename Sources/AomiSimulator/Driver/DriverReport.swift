import AomiAPI
import Foundation

/// What a driver run saw, thread by thread, so that two runs (or a recording and its
/// replay) can be compared.
public struct DriverReport: Sendable, Codable, Equatable {
    public var threads: [ThreadReport]
    public var requests: Int

    enum CodingKeys: String, CodingKey {
        case threads
        case requests = "request_count"
    }

    public init(threads: [ThreadReport], requests: Int) {
        self.threads = threads
        self.requests = requests
    }

    /// Errors of every thread, each prefixed with its wallet and thread.
    public var errors: [String] {
        threads.flatMap { thread in thread.errors.map { "\(thread.wallet) thread \(thread.thread): \($0)" } }
    }

    /// The report without what differs between two faithful runs: session ids, reconnect
    /// counts, the request total, the transaction hashes and signatures the thread made up
    /// (each replaced by its number wherever the backend repeats it), and where a title event
    /// falls among the turn's events (the title is generated concurrently with the next turn,
    /// so that position is timing, not content: title events keep their own order, after the others).
    public var transcript: [ThreadReport] {
        threads.map { thread in
            var thread = thread
            thread.sessionID = ""
            thread.reconnects = 0
            for (index, proof) in thread.proofs.enumerated() {
                thread.messages = thread.messages.map { message in
                    var message = message
                    message.content = message.content.replacingOccurrences(of: proof, with: "<proof \(index + 1)>")
                    return message
                }
            }
            thread.proofs = []
            let isTitle = { (event: String) in event.hasPrefix(UpdateEvent.Kind.titleChanged) }
            thread.events = thread.events.filter { !isTitle($0) } + thread.events.filter(isTitle)
            return thread
        }
    }
}

/// One driven thread: its final messages, title, events in order and wallet requests.
public struct ThreadReport: Sendable, Codable, Equatable {
    public var wallet: String
    public var thread: Int
    public var sessionID: String
    public var sentMessages: [String]
    public var messages: [TranscriptMessage]
    /// The title from `title_changed`, or from the last snapshot when the channel missed it
    /// (events sent while a client reconnects are lost, as with any SSE stream).
    public var title: String?
    /// The updates channel's events in arrival order, as `type` and their details.
    public var events: [String]
    public var walletRequests: [JSONValue]
    /// Each wallet request the thread answered and how: `wallet_tx_request 1 (Swap 3.5 ETH): signed`.
    public var walletOutcomes: [String]
    /// The transaction hashes and signatures the thread sent (new on every run, as a wallet's are).
    public var proofs: [String]
    /// Whether `GET /api/sessions?public_key=` listed this thread.
    public var listedInThreads: Bool
    public var reconnects: Int
    public var errors: [String]

    enum CodingKeys: String, CodingKey {
        case wallet, thread, messages, title, events, proofs, reconnects, errors
        case sessionID = "session_id"
        case sentMessages = "sent_messages"
        case walletRequests = "wallet_requests"
        case walletOutcomes = "wallet_outcomes"
        case listedInThreads = "listed_in_threads"
    }
}

/// A message as the transcript keeps it (no timestamp, which differs between runs).
public struct TranscriptMessage: Sendable, Codable, Equatable {
    public var sender: String
    public var content: String
    public var toolResult: [String]?

    enum CodingKeys: String, CodingKey {
        case sender, content
        case toolResult = "tool_result"
    }

    public init(_ message: ChatMessage) {
        sender = message.sender
        content = message.content
        toolResult = message.toolResult
    }
}
