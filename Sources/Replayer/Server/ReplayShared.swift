import Logging

/// What every connection of one replay server shares.
struct ReplayShared: Sendable {
    let engine: ReplayEngine
    let fallback: ReplayFallback?
    let logger: Logger
    /// The bytes of recorded answers, made once per way they are served.
    let prepared = PreparedAnswers()

    var configuration: ReplayConfiguration { engine.configuration }
}
