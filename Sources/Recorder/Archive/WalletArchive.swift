import AomiAPI
import Foundation
import WARC

/// The archive root as the recorder writes it: one `WARCWriter` per wallet folder
/// (`<root>/<wallet>/`, or `_unbound`), exchanges as `request` + `response` records, and
/// repeated identical responses (same method and path, same payload, same wallet folder) as
/// `revisit`s, which may refer to an earlier file of the folder.
public actor WalletArchive {
    public struct Settings: Sendable {
        public var root: String
        public var recorderID: String
        public var rotationBytes: Int64
        public var fsync: WARCWriterConfiguration.FsyncPolicy
        /// Extra `warcinfo` fields (upstream, redaction key id).
        public var warcinfo: [(String, String)]
        /// How many distinct payloads per wallet folder are remembered for revisits.
        public var payloadMemory: Int

        public init(root: String, recorderID: String, rotationBytes: Int64 = 256 << 20, fsync: WARCWriterConfiguration.FsyncPolicy = .interval(.seconds(1)),
                    warcinfo: [(String, String)] = [], payloadMemory: Int = 20_000) {
            self.root = root
            self.recorderID = recorderID
            self.rotationBytes = rotationBytes
            self.fsync = fsync
            self.warcinfo = warcinfo
            self.payloadMemory = payloadMemory
        }
    }

    public let settings: Settings
    private var writers: [String: WARCWriter] = [:]
    private var payloads: [String: PayloadMemory] = [:]
    public private(set) var exchanges = 0
    public private(set) var revisits = 0

    public init(settings: Settings) {
        self.settings = settings
    }

    /// Writes an exchange: its request, then its response or a revisit of an identical one.
    @discardableResult
    public func record(_ exchange: HTTPExchange, context: ExchangeContext) async throws -> [WARCWriteReceipt] {
        let writer = try writer(for: context.folder)
        let uri = context.origin + exchange.request.target
        let request = Self.requestRecord(exchange.request, uri: uri, context: context)
        var responseFields = [
            (WARCField.targetURI, uri),
            (WARCField.date, exchange.response.date.description),
            (WARCField.contentType, WARCValue.httpResponseContentType),
            (WARCField.concurrentTo, request.recordID!),
        ] + context.fields
        if let error = exchange.upstreamError { responseFields.append((AomiField.upstreamError, error)) }
        let digest = WARCDigest.sha1(exchange.response.body)
        let key = PayloadMemory.key(method: exchange.request.method, path: QueryString.path(of: exchange.request.target), digest: digest)
        let response: WARCRecord
        if exchange.upstreamError == nil, let original = payloads[context.folder]?.original(for: key) {
            response = WARCRecord(type: .revisit, headers: responseFields + [
                (WARCField.profile, WARCValue.identicalPayloadDigestProfile),
                (WARCField.refersTo, original.recordID),
                (WARCField.refersToTargetURI, original.uri),
                (WARCField.refersToDate, original.date),
                (WARCField.payloadDigest, digest),
            ], block: HTTPMessageBlock.response(exchange.response, withBody: false))
            revisits += 1
        } else {
            response = WARCRecord(type: .response, headers: responseFields + [(WARCField.payloadDigest, digest)],
                                  block: HTTPMessageBlock.response(exchange.response))
        }
        let receipts = try await writer.write([request, response])
        exchanges += 1
        if response.type == .response, exchange.upstreamError == nil {
            let stored = receipts[1].record
            remember(.init(recordID: stored.recordID!, date: stored.date!, uri: uri), for: key, folder: context.folder)
        }
        return receipts
    }

    func remember(_ original: PayloadMemory.Original, for key: String, folder: String) {
        payloads[folder, default: PayloadMemory(capacity: settings.payloadMemory)].remember(original, for: key)
    }

    /// The `request` record of an exchange, completed so that its id can be referred to.
    static func requestRecord(_ request: RecordedRequest, uri: String, context: ExchangeContext) -> WARCRecord {
        WARCRecord(type: .request, headers: [
            (WARCField.targetURI, uri),
            (WARCField.date, request.date.description),
            (WARCField.contentType, WARCValue.httpRequestContentType),
        ] + context.fields, block: HTTPMessageBlock.request(request)).completed()
    }

    /// Writes records as they are (SSE segments) into the folder's current file.
    @discardableResult
    public func write(_ records: [WARCRecord], folder: String) async throws -> [WARCWriteReceipt] {
        try await writer(for: folder).write(records)
    }

    /// Closes every file (renaming `.open` files to their final names).
    @discardableResult
    public func close() async throws -> [String] {
        var closed: [String] = []
        for writer in writers.values { closed += try await writer.close() }
        writers = [:]
        return closed.sorted()
    }

    private func writer(for folder: String) throws -> WARCWriter {
        if let writer = writers[folder] { return writer }
        var info = WARCHeaders([("software", "aomi-archive"), ("format", "WARC File Format 1.1"), ("recorder-id", settings.recorderID)])
        for (name, value) in settings.warcinfo { info.append(name, value) }
        let writer = try WARCWriter(configuration: WARCWriterConfiguration(
            directory: (settings.root as NSString).appendingPathComponent(folder), writerID: settings.recorderID,
            rotationBytes: settings.rotationBytes, fsync: settings.fsync, warcinfo: info, linksWarcinfo: false))
        writers[folder] = writer
        return writer
    }
}
