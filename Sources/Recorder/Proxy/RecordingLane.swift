/// The archive work of one client connection, done in order off the event loop: exchanges,
/// and the start, events and end of streams. Jobs run one at a time, in the order given.
final class RecordingLane: Sendable {
    typealias Job = @Sendable () async -> Void

    private let jobs: AsyncStream<Job>.Continuation
    /// Ends once the lane is finished and every job has run.
    let drained: Task<Void, Never>

    init() {
        let (stream, continuation) = AsyncStream.makeStream(of: Job.self)
        jobs = continuation
        drained = Task {
            for await job in stream { await job() }
        }
    }

    func enqueue(_ job: @escaping Job) {
        jobs.yield(job)
    }

    /// No more jobs will come; those queued still run.
    func finish() {
        jobs.finish()
    }
}
