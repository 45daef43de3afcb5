import WARC

/// One recorded client request and what answered it: the unit the replayer serves.
public struct RecordedExchange: Sendable {
    /// The recorded session id (`""` when the request named none).
    public var session: String
    public var wallet: String?
    /// `Aomi-Exchange-Seq`: the request's place in its session, in order of arrival.
    public var sequence: Int
    /// `Aomi-Rerun-Of`: the session this exchange's session reruns.
    public var rerunOf: String? = nil
    public var request: RecordedRequest
    public var answer: RecordedAnswer

    /// Whether this is a request for the updates channel (`GET /api/updates`).
    public var isUpdates: Bool {
        if case .stream = answer { return true }
        return request.method == "GET" && request.path == "/api/updates"
    }
}

/// A recorded request as the client sent it (secrets already redacted by the recorder).
public struct RecordedRequest: Sendable {
    public var method: String
    public var target: String
    /// `WARC-Target-URI`: the upstream URL the request went to.
    public var uri: String
    public var fields: [HTTPMessageHead.Field]
    public var body: [UInt8]
    public var date: WARCDate
    public var location: RecordLocation

    public var path: String { String(target.prefix { $0 != "?" }) }
}

/// A recorded response: status, end-to-end header fields and the body the client received.
public struct RecordedResponse: Sendable {
    public var status: Int
    public var reason: String
    public var fields: [HTTPMessageHead.Field]
    public var payload: Payload
    public var date: WARCDate
    /// `WARC-Payload-Digest` as recorded: the digest of what the client received.
    public var payloadDigest: String?
    public var location: RecordLocation

    /// The body the client received.
    public var body: [UInt8] { payload.bytes }
}

/// A recorded Server-Sent-Events response: its head, its events with their arrival times,
/// and how it ended (`Aomi-Stream-End`; nil when the recording holds no last segment).
public struct RecordedStream: Sendable {
    public var head: RecordedResponse
    public var events: [RecordedEvent]
    public var end: StreamEnd?

    /// Whether the server ended the stream (so a replay ends it too, and the client reconnects).
    public var endedByServer: Bool { end?.endedByServer ?? false }
}

/// One SSE event's raw bytes and when the recorder saw it.
public struct RecordedEvent: Sendable, Equatable {
    public var bytes: [UInt8]
    public var date: WARCDate
}

/// What answered a recorded request.
public enum RecordedAnswer: Sendable {
    case response(RecordedResponse)
    case stream(RecordedStream)

    public var head: RecordedResponse {
        switch self {
        case let .response(response): response
        case let .stream(stream): stream.head
        }
    }
}

/// Where a record is stored, for messages a person can act on.
public struct RecordLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// The offset of its gzip member (in a compacted file, of the bundle holding it).
    public var offset: Int64
    /// Where it starts in its bundle's block; nil for a record stored on its own.
    public var positionInBundle: Int?

    public init(file: String, offset: Int64, positionInBundle: Int? = nil) {
        self.file = file
        self.offset = offset
        self.positionInBundle = positionInBundle
    }

    public var description: String {
        "\(file) at offset \(offset)" + (positionInBundle.map { ", byte \($0) of the bundle" } ?? "")
    }
}
