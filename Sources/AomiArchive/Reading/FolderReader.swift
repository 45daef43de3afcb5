import AomiAPI
import WARC

/// Reads one wallet folder's files in order and pairs their records into exchanges. Revisits
/// are resolved against the folder's responses once every file is read (a compacted file
/// groups records by session, so an original may come after its revisit); continuations are
/// appended to the stream they continue.
struct FolderReader {
    private var pending: [String: RecordedExchange] = [:]
    private var requestOrder: [String] = []
    private var answered: [String: RecordedAnswer] = [:]
    private var payloads: [String: Payload] = [:]
    private var streamRequest: [String: String] = [:]
    private var revisits: [(record: WARCRecord, location: RecordLocation)] = []
    /// The request each whole response answered, and the event lists of whole streams.
    private var responseRequest: [String: String] = [:]
    private var eventLists: [WARCRecord] = []
    private var result = FolderReading()

    mutating func load(files: [String]) -> FolderReading {
        for file in files {
            let reader: WARCFileReader
            do {
                reader = try WARCFileReader(path: file)
            } catch {
                result.failure = .unreadableArchive(path: file, reason: "\(error)")
                return result
            }
            result.filesRead += 1
            for event in reader {
                switch event {
                case let .record(stored): take(stored)
                case let .damage(damage): result.problems.append("\(file): \(damage)")
                }
            }
        }
        for (record, location) in revisits { resolveRevisit(record, location) }
        for list in eventLists { applyEventList(list) }
        for requestID in requestOrder {
            guard var exchange = pending[requestID] else { continue }
            guard let answer = answered[requestID] else {
                result.problems.append("\(exchange.request.location): \(exchange.request.method) \(exchange.request.target) has no recorded response")
                continue
            }
            exchange.answer = answer
            result.exchanges.append(exchange)
        }
        return result
    }

    private mutating func take(_ stored: WARCStoredRecord) {
        let record = stored.record
        let location = RecordLocation(file: stored.file, offset: stored.offset, positionInBundle: stored.positionInBundle)
        switch record.type {
        case .warcinfo:
            result.keyIDs.formUnion(ArchiveInfo.values(of: ArchiveInfo.redactionKeyIDKey, in: record))
        case .request: takeRequest(record, location)
        case .response: takeResponse(record, location)
        case .revisit: revisits.append((record, location))
        case .continuation: takeContinuation(record)
        case .metadata where WholeStream.isEventList(record): eventLists.append(record)
        default: break
        }
    }

    private mutating func takeRequest(_ record: WARCRecord, _ location: RecordLocation) {
        guard let id = record.recordID, let head = HTTPMessageHead(block: record.block), let line = head.requestLine,
            let date = record.date.flatMap(WARCDate.init(parsing:))
        else {
            result.problems.append("\(location): request record without an HTTP request head")
            return
        }
        let headLength = record.httpHeadLength ?? record.block.count
        let request = RecordedRequest(
            method: line.method, target: line.target, uri: record.targetURI ?? line.target, fields: head.fields, body: Array(record.block[headLength...]),
            date: date, location: location)
        let session = record.headers[AomiField.sessionID] ?? head.value(AomiHeader.sessionID) ?? ""
        let sequence = record.headers[AomiField.exchangeSeq].flatMap { Int($0) } ?? Int.max
        pending[id] = RecordedExchange(
            session: session, wallet: record.headers[AomiField.wallet], sequence: sequence, rerunOf: record.headers[AomiField.rerunOf], request: request,
            answer: .response(
                RecordedResponse(
                    status: 0, reason: "", fields: [], payload: Payload(bytes: []), date: date, payloadDigest: nil,
                    location: location)))
        requestOrder.append(id)
    }

    private mutating func takeResponse(_ record: WARCRecord, _ location: RecordLocation) {
        guard let response = Self.response(record, location, body: nil) else {
            result.problems.append("\(location): response record without an HTTP status line")
            return
        }
        guard let requestID = record.headers[WARCField.concurrentTo], let id = record.recordID else { return }
        if record.segmentNumber == 1 {
            streamRequest[id] = requestID
            answered[requestID] = .stream(RecordedStream(head: response, events: [], end: nil))
        } else {
            payloads[id] = response.payload
            responseRequest[id] = requestID
            answered[requestID] = .response(response)
        }
    }

    private mutating func resolveRevisit(_ record: WARCRecord, _ location: RecordLocation) {
        guard let requestID = record.headers[WARCField.concurrentTo] else { return }
        guard let original = record.headers[WARCField.refersTo], let payload = payloads[original] else {
            result.problems.append("\(location): revisit refers to \(record.headers[WARCField.refersTo] ?? "nothing"), which is not in this folder's records")
            return
        }
        guard let response = Self.response(record, location, body: payload) else {
            result.problems.append("\(location): revisit record without an HTTP status line")
            return
        }
        answered[requestID] = .response(response)
    }

    /// A whole stream (`export --playable`): the response becomes a stream of the events its
    /// event list places in its body, with their arrival times.
    private mutating func applyEventList(_ list: WARCRecord) {
        guard let responseID = list.headers[WARCField.concurrentTo], let requestID = responseRequest[responseID],
            case let .response(head) = answered[requestID]
        else { return }
        let (events, end) = WholeStream.events(body: head.body[...], metadata: list.block)
        var streamHead = head
        streamHead.payload = Payload(bytes: [])
        answered[requestID] = .stream(
            RecordedStream(
                head: streamHead, events: events.map { RecordedEvent(bytes: $0.bytes, date: WARCDate(parsing: $0.date) ?? head.date) }, end: end))
    }

    private mutating func takeContinuation(_ record: WARCRecord) {
        guard let origin = record.headers[WARCField.segmentOriginID], let requestID = streamRequest[origin],
            case var .stream(stream) = answered[requestID]
        else { return }
        if !record.block.isEmpty {
            stream.events.append(RecordedEvent(bytes: record.block, date: record.date.flatMap(WARCDate.init(parsing:)) ?? stream.head.date))
        }
        if let end = StreamEnd(endOf: record.headers) { stream.end = end }
        answered[requestID] = .stream(stream)
    }

    private static func response(_ record: WARCRecord, _ location: RecordLocation, body: Payload?) -> RecordedResponse? {
        guard let head = HTTPMessageHead(block: record.block), let status = head.statusLine,
            let date = record.date.flatMap(WARCDate.init(parsing:))
        else { return nil }
        let headLength = record.httpHeadLength ?? record.block.count
        let count = record.block.count - headLength
        let payload = body ?? (count <= Payload.inlineLimit ? Payload(bytes: Array(record.block[headLength...])) : Payload(count: count, location: location))
        return RecordedResponse(
            status: status.status, reason: status.reason, fields: head.fields, payload: payload,
            date: date, payloadDigest: record.headers[WARCField.payloadDigest], location: location)
    }
}
