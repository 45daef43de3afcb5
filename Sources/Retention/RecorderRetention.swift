import AomiArchive
import ArchiveIndex
import Dispatch
import Foundation

/// `record --retain`: the retention policy run by the recorder itself, when one of its files
/// closes (rotation) and every hour, with the same care as `prune`. Besides the closed files
/// of stopped recorders, it prunes the recorder's own closed files: first it plans, then the
/// recorder lets go of the payloads that go (`letGo`, so no revisit written from then on
/// refers to them), then it plans again among the same records (a revisit written meanwhile
/// keeps its original) and applies that. Runs never overlap; a trigger
/// during a run starts one more after it.
public actor RecorderRetention {
    /// What one run did, or why it failed, for the log.
    public typealias Outcome = Result<ArchivePruner.Report, RetentionError>

    private let root: String
    private let maxAge: Duration
    private let recorderID: String
    private let indexLocation: String?
    private let letGo: @Sendable (Set<String>) async -> Void
    private let report: @Sendable (Outcome) -> Void
    private let queue = DispatchQueue(label: "aomi-archive retention", qos: .utility)
    private var current: Task<Void, Never>?
    private var again = false
    private var stopped = false
    private var timer: Task<Void, Never>?

    /// - Parameters:
    ///   - indexLocation: the index kept in step (a SQLite path or a `postgres://` URL), nil for none.
    ///   - letGo: tells the recorder's archive to stop referring to these record ids.
    ///   - report: hears each run's outcome (runs that found nothing included).
    public init(
        root: String, maxAge: Duration, recorderID: String, indexLocation: String?, letGo: @escaping @Sendable (Set<String>) async -> Void,
        report: @escaping @Sendable (Outcome) -> Void
    ) {
        self.root = root
        self.maxAge = maxAge
        self.recorderID = recorderID
        self.indexLocation = indexLocation
        self.letGo = letGo
        self.report = report
    }

    /// Runs now, then every `interval` until `stop()`.
    public func start(every interval: Duration = .seconds(3600)) {
        timer = Task { [weak self] in
            while !Task.isCancelled {
                await self?.trigger()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Asks for a run (a file closed): now, or right after the one in progress.
    public func trigger() {
        guard !stopped else { return }
        guard current == nil else {
            again = true
            return
        }
        current = Task { await runWhileAsked() }
    }

    /// Stops the hourly runs and waits for the one in progress; later triggers do nothing.
    public func stop() async {
        stopped = true
        timer?.cancel()
        timer = nil
        await current?.value
    }

    private func runWhileAsked() async {
        repeat {
            again = false
            report(await runOnce())
        } while again && !stopped
        current = nil
    }

    private func runOnce() async -> Outcome {
        let cutoff = Date().addingTimeInterval(-(Double(maxAge.components.seconds) + Double(maxAge.components.attoseconds) / 1e18))
        let removal = ArchiveRemoval(root: root)
        let first: RemovalPlan
        do {
            first = try await onQueue { () throws(RemovalError) in try removal.plan(olderThan: cutoff, ownRecorder: self.recorderID) }
        } catch {
            return .failure(.removal(error))
        }
        guard !first.isEmpty else { return .success(ArchivePruner.Report(plan: first)) }
        await letGo(first.recordIDs)
        let candidates = first.recordIDs
        return await onQueue { () -> Outcome in
            Result { () throws(RetentionError) in
                var database: ArchiveDatabase?
                if let location = self.indexLocation {
                    do throws(IndexError) { database = try ArchiveDatabase(location: location) } catch { throw .index(error) }
                }
                return try ArchivePruner(root: self.root, database: database).prune(olderThan: cutoff, ownRecorder: self.recorderID, among: candidates)
            }
        }
    }

    /// Runs blocking file work on the retention thread, off the server's threads.
    private nonisolated func onQueue<Value: Sendable, Failure: Error>(_ body: @escaping @Sendable () throws(Failure) -> Value) async throws(Failure) -> Value {
        let result: Result<Value, Failure> = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: Result { () throws(Failure) in try body() }) }
        }
        return try result.get()
    }
}
