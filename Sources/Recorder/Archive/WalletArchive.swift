import AomiAPI
import AomiArchive
import Foundation
import WARC

/// The archive root as the recorder writes it: one `WARCWriter` per wallet folder
/// (`<root>/<wallet>/`, or `_unbound`), exchanges as `request` + `response` records, and
/// repeated identical responses (same session, method and path, same payload, same wallet
/// folder) as `revisit`s, which may refer to an earlier file of the folder.
public actor WalletArchive {
    public struct Settings: Sendable {
        public var root: String
        public var recorderID: String
        public var rotationBytes: Int64
        public var fsync: WARCWriterConfiguration.FsyncPolicy
        /// What each file's `warcinfo` says besides the recorder id.
        public var info: ArchiveInfo
        /// How many distinct payloads (over all folders) are remembered for revisits.
        public var payloadMemory: Int
        /// libdeflate level of every record (0 stored, 1 fastest … 12 smallest).
        public var compressionLevel: Int32
        /// How many files are open at once; the least recently written one is closed past it
        /// (its folder's next record starts a new file).
        public var maxOpenFiles: Int
        /// Where each closed file goes to be compacted (`record --compact-on-close`); nil
        /// leaves closed files as they were written.
        public var compaction: CompactionQueue?
        /// Told the path of each file closed (after it is handed to `compaction`):
        /// `record --retain` checks its policy then.
        public var onFileClosed: (@Sendable (String) -> Void)?
        /// Told the path of each closed file once it is final, compacted when `compaction`
        /// is set: `record --store` uploads it then.
        public var onFileFinal: (@Sendable (String) -> Void)?

        public init(
            root: String, recorderID: String, rotationBytes: Int64 = 256 << 20, fsync: WARCWriterConfiguration.FsyncPolicy = .interval(.seconds(1)),
            info: ArchiveInfo = ArchiveInfo(), payloadMemory: Int = 50_000, maxOpenFiles: Int = 128, compressionLevel: Int32 = 6,
            compaction: CompactionQueue? = nil
        ) {
            self.root = root
            self.recorderID = recorderID
            self.rotationBytes = rotationBytes
            self.fsync = fsync
            self.info = info
            self.payloadMemory = payloadMemory
            self.maxOpenFiles = maxOpenFiles
            self.compressionLevel = compressionLevel
            self.compaction = compaction
        }
    }

    public let settings: Settings
    /// One numbering for the files of every folder, so no two files of the root share a name.
    private let fileNumbers = WARCFileNumbers()
    private var writers: [String: WARCWriter] = [:]
    private var lastWrite: [String: UInt64] = [:]
    private var writeClock: UInt64 = 0
    private var payloads: PayloadMemory
    /// Files closed before `close()` because too many were open.
    private var closedEarly: [String] = []
    /// Last segments of streams a failed write left unended, by folder.
    private var unwrittenStreamEnds: [String: [WARCRecord]] = [:]
    public private(set) var exchanges = 0
    public private(set) var revisits = 0

    public init(settings: Settings) {
        self.settings = settings
        self.payloads = PayloadMemory(capacity: settings.payloadMemory)
    }

    /// Writes an exchange: its request, then its response or a revisit of an identical one.
    @discardableResult
    public func record(_ exchange: HTTPExchange, context: ExchangeContext) async throws -> [WARCWriteReceipt] {
        let uri = context.origin + exchange.request.target
        let request = ExchangeRecords.request(exchange.request, uri: uri, context: context)
        let digest = WARCDigest.sha1(exchange.response.body)
        let key = PayloadMemory.key(
            session: context.sessionID, method: exchange.request.method, path: QueryString.path(of: exchange.request.target), digest: digest)
        let original = exchange.upstreamError == nil ? payloads.original(for: context.folder + " " + key) : nil
        let response = ExchangeRecords.response(exchange, uri: uri, requestID: request.recordID!, context: context, digest: digest, original: original)
        if original != nil { revisits += 1 }
        let receipts = try await write([request, response], folder: context.folder)
        exchanges += 1
        if response.type == .response, exchange.upstreamError == nil {
            let stored = receipts[1].record
            remember(.init(recordID: stored.recordID!, date: stored.date!, uri: uri), for: key, folder: context.folder)
        }
        return receipts
    }

    /// Stops writing revisits of these records (`record --retain` is about to remove their
    /// files); once this returns, no record written later refers to them.
    public func forgetOriginals(_ recordIDs: Set<String>) {
        payloads.forget(recordIDs: recordIDs)
    }

    func remember(_ original: PayloadMemory.Original, for key: String, folder: String) {
        payloads.remember(original, for: folder + " " + key)
    }

    /// Writes records as they are (SSE segments) into the folder's current file, after the
    /// last segments of the folder's streams that a failed write left unended. When the
    /// process has no descriptor left, the least recently written other file is closed and the
    /// write tried once more.
    @discardableResult
    public func write(_ records: [WARCRecord], folder: String) async throws -> [WARCWriteReceipt] {
        if !unwrittenStreamEnds.isEmpty, let ends = unwrittenStreamEnds[folder] {
            _ = try await writeNow(ends, folder: folder)
            unwrittenStreamEnds[folder] = nil
        }
        return try await writeNow(records, folder: folder)
    }

    /// Keeps the last segment of a stream that could not be written (a full disk), to be
    /// written before the folder's next records, or when the archive closes: a stream never
    /// ends up in a closed file without its end when space came back.
    func keepUnwrittenStreamEnd(_ record: WARCRecord, folder: String) {
        unwrittenStreamEnds[folder, default: []].append(record)
    }

    private func writeNow(_ records: [WARCRecord], folder: String) async throws -> [WARCWriteReceipt] {
        let receipts = try await tryWriting(records, folder: folder)
        RecorderMetrics.written(bytes: receipts.reduce(0) { $0 + $1.length }, kind: "live")
        return receipts
    }

    private func tryWriting(_ records: [WARCRecord], folder: String) async throws -> [WARCWriteReceipt] {
        defer { RecorderMetrics.openFiles.set(writers.count) }
        do {
            return try await writer(for: folder).write(records)
        } catch WARCWriterError.closed {
            // The file was closed to make room for another folder's while this write waited.
            return try await writer(for: folder).write(records)
        } catch let error as WARCWriterError where error.isOutOfDescriptors && writers.count > 1 {
            await closeLeastRecentlyWritten(except: folder)
            return try await writer(for: folder).write(records)
        }
    }

    /// Closes the file written least recently, other than `folder`'s, to free its descriptor.
    private func closeLeastRecentlyWritten(except folder: String) async {
        guard let (oldest, _) = writers.keys.filter({ $0 != folder }).map({ ($0, lastWrite[$0] ?? 0) }).min(by: { $0.1 < $1.1 }),
            let writer = writers.removeValue(forKey: oldest)
        else { return }
        lastWrite[oldest] = nil
        if let files = try? await writer.close() { closedEarly += files }
    }

    /// Closes every file (renaming `.open` files to their final names). Every file is closed
    /// even when one fails (it stays `.open` for the next start's repair); the first failure
    /// is thrown after.
    @discardableResult
    public func close() async throws -> [String] {
        for (folder, ends) in unwrittenStreamEnds {
            // Still failing: the stream stays unended, as it was when its connection closed.
            if (try? await writeNow(ends, folder: folder)) != nil { unwrittenStreamEnds[folder] = nil }
        }
        var closed: [String] = []
        var firstFailure: (any Error)?
        for writer in writers.values {
            do {
                closed += try await writer.close()
            } catch {
                closed += await writer.closedFiles
                firstFailure = firstFailure ?? error
            }
        }
        closed += closedEarly
        writers = [:]
        RecorderMetrics.openFiles.set(0)
        lastWrite = [:]
        closedEarly = []
        if let firstFailure { throw firstFailure }
        return closed.sorted()
    }

    /// Counts the bytes a compaction of a closed file wrote (`--compact-on-close`).
    public static func noteCompacted(_ report: CompactionReport) {
        if !report.alreadyCompacted { RecorderMetrics.written(bytes: report.bytesAfter, kind: "compacted") }
    }

    /// Hands each closed file to the compaction queue, `onFileFinal` and `onFileClosed`, when
    /// there are.
    private var closedFileHandOver: (@Sendable (String) -> Void)? {
        let queue = settings.compaction
        let listener = settings.onFileClosed
        let final = settings.onFileFinal
        guard queue != nil || listener != nil || final != nil else { return nil }
        return { path in
            if let queue { queue.submit(path, then: final) } else { final?(path) }
            listener?(path)
        }
    }

    private func writer(for folder: String) async throws -> WARCWriter {
        writeClock += 1
        lastWrite[folder] = writeClock
        if let writer = writers[folder] { return writer }
        let evicted = evictLeastRecentlyWritten()
        let info = settings.info.fields(recorderID: settings.recorderID)
        let writer = try WARCWriter(
            configuration: WARCWriterConfiguration(
                directory: (settings.root as NSString).appendingPathComponent(folder), writerID: settings.recorderID, sequence: fileNumbers,
                rotationBytes: settings.rotationBytes, compressionLevel: settings.compressionLevel, fsync: settings.fsync, warcinfo: info, linksWarcinfo: false,
                onFileClosed: closedFileHandOver))
        writers[folder] = writer
        if let evicted, let files = try? await evicted.close() { closedEarly += files }
        return writer
    }

    /// Takes the least recently written file out of the open set once too many are open.
    private func evictLeastRecentlyWritten() -> WARCWriter? {
        guard writers.count >= settings.maxOpenFiles,
            let (folder, _) = writers.keys.map({ ($0, lastWrite[$0] ?? 0) }).min(by: { $0.1 < $1.1 })
        else { return nil }
        lastWrite[folder] = nil
        return writers.removeValue(forKey: folder)
    }

}
