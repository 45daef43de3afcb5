import AomiAPI
import Foundation
import WARC

/// The archive root as the recorder writes it: one `WARCWriter` per wallet folder
/// (`<root>/<wallet>/`, or `_unbound`), exchanges as `request` + `response` records, and
/// repeated identical responses (same method and path, same payload, same file) as `revisit`s.
public actor WalletArchive {
    public struct Settings: Sendable {
        public var root: String
        public var recorderID: String
        public var rotationBytes: Int64
        public var fsync: WARCWriterConfiguration.FsyncPolicy
        /// Extra `warcinfo` fields (upstream, redaction key id).
        public var warcinfo: [(String, String)]

        public init(root: String, recorderID: String, rotationBytes: Int64 = 256 << 20, fsync: WARCWriterConfiguration.FsyncPolicy = .interval(.seconds(1)), warcinfo: [(String, String)] = []) {
            self.root = root
            self.recorderID = recorderID
            self.rotationBytes = rotationBytes
            self.fsync = fsync
            self.warcinfo = warcinfo
        }
    }

    /// What an earlier full response left for dedup.
    private struct Original {
        var digest: String
        var recordID: String
        var date: String
        var uri: String
        var file: String
    }

    public let settings: Settings
    private var writers: [String: WARCWriter] = [:]
    private var originals: [String: [String: Original]] = [:]
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
        let key = exchange.request.method + " " + QueryString.path(of: exchange.request.target)
        let current = await writer.currentPath
        let response: WARCRecord
        if exchange.upstreamError == nil, let original = originals[context.folder]?[key], original.digest == digest, original.file == current {
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
            originals[context.folder, default: [:]][key] = Original(digest: digest, recordID: stored.recordID!, date: stored.date!, uri: uri, file: receipts[1].path)
        }
        return receipts
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
            rotationBytes: settings.rotationBytes, fsync: settings.fsync, warcinfo: info))
        writers[folder] = writer
        return writer
    }
}
