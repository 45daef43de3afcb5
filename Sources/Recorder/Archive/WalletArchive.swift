import AomiAPI
import AomiArchive
import Foundation
import Synchronization
import WARC

/// The archive root as the recorder writes it: one `WARCWriter` per wallet folder
/// (`<root>/<wallet>/`, or `_unbound`), exchanges as `request` + `response` records, and
/// repeated identical responses (same session, method and path, same payload, same wallet
/// folder) as `revisit`s, which may refer to an earlier file of the folder.
///
/// Its work is synchronous under one lock, done by the caller's thread (the proxy's event
/// loop): an exchange is built, compressed and written without a hop to another executor,
/// and it is on disk (written to the file) when `record` returns.
public final class WalletArchive: Sendable {
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
    private let state: Mutex<State>
    /// Compresses records on the caller's thread, before the lock.
    private let deflaters: GzipDeflaterPool

    /// What the lock guards: the open files, the payloads remembered and the counts.
    struct State {
        var writers: [String: WARCFileAppender] = [:]
        var lastWrite: [String: UInt64] = [:]
        var writeClock: UInt64 = 0
        var payloads: PayloadMemory
        /// Files closed before `close()` because too many were open.
        var closedEarly: [String] = []
        /// Last segments of streams a failed write left unended, by folder.
        var unwrittenStreamEnds: [String: WARCPreparedRecords] = [:]
        var exchanges = 0
        var revisits = 0
    }

    public init(settings: Settings) {
        self.settings = settings
        self.state = Mutex(State(payloads: PayloadMemory(capacity: settings.payloadMemory)))
        self.deflaters = GzipDeflaterPool(level: settings.compressionLevel)
    }

    public var exchanges: Int { state.withLock { $0.exchanges } }
    public var revisits: Int { state.withLock { $0.revisits } }

    /// Writes an exchange: its request, then its response or a revisit of an identical one.
    /// The records are built and compressed before the lock is taken; under it, only the
    /// payload memory is asked and the members written.
    @discardableResult
    public func record(_ exchange: HTTPExchange, context: ExchangeContext) throws -> [WARCWriteReceipt] {
        let uri = context.origin + exchange.request.target
        let request = ExchangeRecords.request(exchange.request, uri: uri, context: context)
        let digest = WARCDigest.sha1(exchange.response.body)
        let key =
            context.folder + " "
            + PayloadMemory.key(session: context.sessionID, method: exchange.request.method, path: QueryString.path(of: exchange.request.target), digest: digest)
        let revisitable = exchange.upstreamError == nil
        let original = revisitable ? state.withLock { $0.payloads.original(for: key) } : nil
        let response = { (original: PayloadMemory.Original?) in
            ExchangeRecords.response(exchange, uri: uri, requestID: request.recordID!, context: context, digest: digest, original: original)
        }
        let prepared = try WARCPreparedRecords([request, response(original)], pool: deflaters)
        return try state.withLock { state in
            var prepared = prepared
            if let original, state.payloads.original(for: key)?.recordID != original.recordID {
                // Its original was let go meanwhile (`record --retain` removes it): in full.
                prepared = try WARCPreparedRecords([prepared.records[0], response(nil)], pool: deflaters)
            }
            let receipts = try write(prepared, folder: context.folder, in: &state)
            state.exchanges += 1
            let stored = receipts[1].record
            if stored.type == .revisit { state.revisits += 1 }
            if stored.type == .response, revisitable {
                state.payloads.remember(.init(recordID: stored.recordID!, date: stored.date!, uri: uri), for: key)
            }
            return receipts
        }
    }

    /// Stops writing revisits of these records (`record --retain` is about to remove their
    /// files); once this returns, no record written later refers to them.
    public func forgetOriginals(_ recordIDs: Set<String>) {
        state.withLock { $0.payloads.forget(recordIDs: recordIDs) }
    }

    func remember(_ original: PayloadMemory.Original, for key: String, folder: String) {
        state.withLock { $0.payloads.remember(original, for: folder + " " + key) }
    }

    /// Writes records as they are (SSE segments) into the folder's current file, after the
    /// last segments of the folder's streams that a failed write left unended. When the
    /// process has no descriptor left, the least recently written other file is closed and the
    /// write tried once more.
    @discardableResult
    public func write(_ records: [WARCRecord], folder: String) throws -> [WARCWriteReceipt] {
        let prepared = try WARCPreparedRecords(records, pool: deflaters)
        return try state.withLock { state in try write(prepared, folder: folder, in: &state) }
    }

    /// Writes a stream's last segment, or keeps it when it cannot be written (a full disk), to
    /// be written before the folder's next records, or when the archive closes: a stream never
    /// ends up in a closed file without its end when space came back.
    func writeStreamEnd(_ record: WARCRecord, folder: String) throws {
        let prepared = try WARCPreparedRecords([record], pool: deflaters)
        try state.withLock { state in
            do {
                _ = try write(prepared, folder: folder, in: &state)
            } catch {
                state.unwrittenStreamEnds[folder, default: WARCPreparedRecords()].append(prepared)
                throw error
            }
        }
    }

    private func write(_ prepared: WARCPreparedRecords, folder: String, in state: inout State) throws -> [WARCWriteReceipt] {
        if !state.unwrittenStreamEnds.isEmpty, let ends = state.unwrittenStreamEnds[folder] {
            _ = try writeNow(ends, folder: folder, in: &state)
            state.unwrittenStreamEnds[folder] = nil
        }
        return try writeNow(prepared, folder: folder, in: &state)
    }

    private func writeNow(_ prepared: WARCPreparedRecords, folder: String, in state: inout State) throws -> [WARCWriteReceipt] {
        let receipts = try tryWriting(prepared, folder: folder, in: &state)
        RecorderMetrics.written(bytes: receipts.reduce(0) { $0 + $1.length }, kind: "live")
        return receipts
    }

    private func tryWriting(_ prepared: WARCPreparedRecords, folder: String, in state: inout State) throws -> [WARCWriteReceipt] {
        defer { RecorderMetrics.openFiles.set(state.writers.count) }
        do {
            return try writer(for: folder, in: &state).append(prepared)
        } catch let error as WARCWriterError where error.isOutOfDescriptors && state.writers.count > 1 {
            closeLeastRecentlyWritten(except: folder, in: &state)
            return try writer(for: folder, in: &state).append(prepared)
        }
    }

    /// Closes the file written least recently, other than `folder`'s, to free its descriptor.
    private func closeLeastRecentlyWritten(except folder: String, in state: inout State) {
        guard let (oldest, _) = state.writers.keys.filter({ $0 != folder }).map({ ($0, state.lastWrite[$0] ?? 0) }).min(by: { $0.1 < $1.1 }),
            let writer = state.writers.removeValue(forKey: oldest)
        else { return }
        state.lastWrite[oldest] = nil
        if let files = try? writer.close() { state.closedEarly += files }
    }

    /// Closes every file (renaming `.open` files to their final names). Every file is closed
    /// even when one fails (it stays `.open` for the next start's repair); the first failure
    /// is thrown after.
    @discardableResult
    public func close() throws -> [String] {
        try state.withLock { state in
            for (folder, ends) in state.unwrittenStreamEnds {
                // Still failing: the stream stays unended, as it was when its connection closed.
                if (try? writeNow(ends, folder: folder, in: &state)) != nil { state.unwrittenStreamEnds[folder] = nil }
            }
            var closed: [String] = []
            var firstFailure: (any Error)?
            for writer in state.writers.values {
                do {
                    closed += try writer.close()
                } catch {
                    closed += writer.closedFiles
                    firstFailure = firstFailure ?? error
                }
            }
            closed += state.closedEarly
            state.writers = [:]
            RecorderMetrics.openFiles.set(0)
            state.lastWrite = [:]
            state.closedEarly = []
            if let firstFailure { throw firstFailure }
            return closed.sorted()
        }
    }

    /// Counts the bytes a compaction of a closed file wrote (`--compact-on-close`).
    public static func noteCompacted(_ report: CompactionReport) {
        if !report.alreadyCompacted { RecorderMetrics.written(bytes: report.bytesAfter, kind: "compacted") }
    }

    /// Hands each closed file to the compaction queue and to `onFileClosed`, when there are.
    /// Called under the archive's lock: both only take note of the path.
    private var closedFileHandOver: (@Sendable (String) -> Void)? {
        let queue = settings.compaction
        let listener = settings.onFileClosed
        guard queue != nil || listener != nil else { return nil }
        return { path in
            queue?.submit(path)
            listener?(path)
        }
    }

    private func writer(for folder: String, in state: inout State) throws -> WARCFileAppender {
        state.writeClock += 1
        state.lastWrite[folder] = state.writeClock
        if let writer = state.writers[folder] { return writer }
        let evicted = evictLeastRecentlyWritten(in: &state)
        let info = settings.info.fields(recorderID: settings.recorderID)
        let writer = try WARCFileAppender(
            configuration: WARCWriterConfiguration(
                directory: (settings.root as NSString).appendingPathComponent(folder), writerID: settings.recorderID, sequence: fileNumbers,
                rotationBytes: settings.rotationBytes, compressionLevel: settings.compressionLevel, fsync: settings.fsync, warcinfo: info, linksWarcinfo: false,
                onFileClosed: closedFileHandOver))
        state.writers[folder] = writer
        if let evicted, let files = try? evicted.close() { state.closedEarly += files }
        return writer
    }

    /// Takes the least recently written file out of the open set once too many are open.
    private func evictLeastRecentlyWritten(in state: inout State) -> WARCFileAppender? {
        guard state.writers.count >= settings.maxOpenFiles,
            let (folder, _) = state.writers.keys.map({ ($0, state.lastWrite[$0] ?? 0) }).min(by: { $0.1 < $1.1 })
        else { return nil }
        state.lastWrite[folder] = nil
        return state.writers.removeValue(forKey: folder)
    }
}
