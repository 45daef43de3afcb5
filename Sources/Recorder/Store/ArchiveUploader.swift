import AomiArchive
import Foundation
import Logging
import ObjectStore
import Synchronization
import WARC

/// Uploads the files a recorder closes to an object store (`record --store`), one at a time
/// in the order they were closed, off the recording path: `PREFIX/<wallet>/<file>`, checked
/// (size and MD5) and only then removed locally (kept with `--keep-local`, and noted in
/// `ROOT/.uploaded` so the next start does not send it again). A failing or unreachable store
/// never loses a file and never holds up recording: the file stays in the backlog and is
/// tried again after a wait that doubles up to `longestWait`. Files closed but not uploaded
/// when a recorder stopped or died are found by `submitLeftovers()` at the next start.
///
/// A file is uploaded and removed under its rewrite lock (`WARCRewriteLock`), so a
/// compaction or a forget rewriting it meanwhile is never half-uploaded or deleted unsent.
public final class ArchiveUploader: Sendable {
    /// What the uploader has done and has left, for `/_recorder/health` and the log.
    public struct Status: Sendable, Equatable {
        public var backlogFiles = 0
        public var backlogBytes: Int64 = 0
        public var uploadedFiles = 0
        public var uploadedBytes: Int64 = 0
        public var failures = 0
        public var lastError: String?
        public var lastErrorAt: String?
    }

    public let root: String
    public let location: StoreLocation
    private let client: ObjectStoreClient
    private let keepLocal: Bool
    private let logger: Logger
    private let firstWait: Duration
    private let longestWait: Duration
    private let state = Mutex(State())
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>

    private struct State {
        /// Each file waiting, with its size when it was handed over.
        var backlog: [(path: String, bytes: Int64)] = []
        var uploadedFiles = 0
        var uploadedBytes: Int64 = 0
        var failures = 0
        var lastError: String?
        var lastErrorAt: String?
        var draining = false

        var status: Status {
            Status(
                backlogFiles: backlog.count, backlogBytes: backlog.reduce(0) { $0 + $1.bytes }, uploadedFiles: uploadedFiles, uploadedBytes: uploadedBytes,
                failures: failures, lastError: lastError, lastErrorAt: lastErrorAt)
        }
    }

    public init(
        root: String, location: StoreLocation, client: ObjectStoreClient, keepLocal: Bool, logger: Logger, firstWait: Duration = .seconds(1),
        longestWait: Duration = .seconds(60)
    ) {
        self.root = (root as NSString).standardizingPath
        self.location = location
        self.client = client
        self.keepLocal = keepLocal
        self.logger = logger
        self.firstWait = min(firstWait, longestWait)
        self.longestWait = longestWait
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    public var status: Status { state.withLock { $0.status } }

    /// Adds a closed file to the backlog (once).
    public func submit(_ path: String) {
        let size = ArchiveFiles.size(of: path)
        let added = state.withLock { state in
            guard !state.backlog.contains(where: { $0.path == path }) else { return false }
            state.backlog.append((path, size))
            return true
        }
        if added {
            UploadMetrics.backlog(status)
            wake.yield()
        }
    }

    /// Puts in the backlog every closed archive file under the root that was not uploaded:
    /// those a recorder that stopped or died left (with `--keep-local`, those not noted in
    /// `ROOT/.uploaded`). Returns how many.
    @discardableResult
    public func submitLeftovers() throws(ArchiveFilesError) -> Int {
        let sent = keepLocal ? UploadLedger(root: root).entries() : []
        let files = try ArchiveFiles.find(under: root, includeOpen: false).filter { !sent.contains(UploadLedger.Entry(path: $0, root: root)) }
        for file in files { submit(file) }
        return files.count
    }

    /// The uploader with the leftovers of a stopped recorder in its backlog, said in the log.
    public func withLeftovers(logger: Logger) throws(ArchiveFilesError) -> ArchiveUploader {
        let count = try submitLeftovers()
        if count > 0 { logger.notice("\(count) closed files are not uploaded yet: uploading them to \(location)") }
        return self
    }

    /// Uploads the backlog until the task is cancelled, or, once `drain()` was called, until
    /// the backlog is empty or an upload fails (the rest waits for the next start).
    public func run() async {
        var wait = firstWait
        var iterator = wakes.makeAsyncIterator()
        while !Task.isCancelled {
            guard let path = state.withLock({ $0.backlog.first?.path }) else {
                if state.withLock({ $0.draining }) { return }
                _ = await iterator.next()
                continue
            }
            switch await upload(path) {
            case .done, .gone:
                wait = firstWait
            case .busy:
                state.withLock { state in state.backlog.append(state.backlog.removeFirst()) }
                if state.withLock({ $0.draining && $0.backlog.count == 1 }) { return }
                try? await Task.sleep(for: firstWait)
            case .failed:
                if state.withLock({ $0.draining }) { return }
                try? await Task.sleep(for: wait)
                wait = min(wait * 2, longestWait)
            }
        }
    }

    /// Asks `run()` to end once the backlog is sent, or at the first failure.
    public func drain() {
        state.withLock { $0.draining = true }
        wake.yield()
    }

    private enum Outcome {
        case done, gone, busy, failed
    }

    /// Uploads one file, checks it, then removes it (or notes it, with `--keep-local`).
    private func upload(_ path: String) async -> Outcome {
        guard FileManager.default.fileExists(atPath: path) else {
            finished(path, bytes: nil)
            logger.notice("not uploaded: \(path) is gone (removed by forget, prune or --retain before its upload)")
            return .gone
        }
        let lock: WARCRewriteLock
        do {
            guard let taken = try WARCRewriteLock(path: path) else { return .busy }
            lock = taken
        } catch {
            finished(path, bytes: nil)
            logger.notice("not uploaded: \(path): \(error)")
            return .gone
        }
        defer { lock.release() }
        let key = location.key(for: ArchiveFiles.relativePath(of: path, under: root))
        do {
            let stored = try await client.putChecked(key: key, file: path)
            if keepLocal {
                try UploadLedger(root: root).append(UploadLedger.Entry(path: path, root: root))
            } else if unlink(path) != 0 {
                logger.warning("uploaded \(path) as s3://\(location.bucket)/\(key), but could not remove it: \(String(cString: strerror(errno)))")
            }
            finished(path, bytes: stored.size)
            logger.info("uploaded \(path) as s3://\(location.bucket)/\(key) (\(stored.size) bytes)")
            return .done
        } catch {
            failed(path, error: "\(error)")
            return .failed
        }
    }

    /// Takes `path` out of the backlog; `bytes` counts it as uploaded.
    private func finished(_ path: String, bytes: Int64?) {
        let status = state.withLock { state in
            state.backlog.removeAll { $0.path == path }
            if let bytes {
                state.uploadedFiles += 1
                state.uploadedBytes += bytes
            }
            return state.status
        }
        UploadMetrics.backlog(status)
        if let bytes { UploadMetrics.uploaded(bytes: bytes) }
    }

    private func failed(_ path: String, error: String) {
        let first = state.withLock { state in
            defer {
                state.failures += 1
                state.lastError = error
                state.lastErrorAt = WARCDate.now().description
            }
            return state.lastError != error
        }
        UploadMetrics.failed()
        if first { logger.error("not uploaded yet, kept and tried again: \(path): \(error)") }
    }
}
