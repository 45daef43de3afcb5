import AomiAPI

/// The proxy's own error answers that say something about the recorder rather than the request.
enum ProxyAnswers {
    /// The 503 for a request that came while the process had no file descriptor left.
    static let outOfDescriptors = APIError(
        status: 503, "the recorder has run out of file descriptors: nothing was forwarded or recorded; retry shortly (GET /_recorder/health)")

    /// The 503 of `requireRecording` for a request held back while writes fail.
    static let notForwarded = APIError(
        status: 503,
        "not forwarded: writes to the archive are failing and this recorder runs with --require-recording; nothing reached the backend, retry once recording works again (GET /_recorder/health)"
    )

    /// The 503 of `requireRecording` when an exchange could not be archived.
    static func notRecorded(_ cause: String) -> APIError {
        APIError(status: 503, "the exchange could not be recorded (\(cause)); this recorder runs with --require-recording, so it is not answered")
    }
}
