import Logging

/// What every connection of one replay server shares.
struct ReplayShared: Sendable {
    let engine: ReplayEngine
    let fallback: ReplayFallback?
    let logger: Logger
    /// The bytes of recorded answers served as recorded, made once.
    let prepared = PreparedAnswers()

    var configuration: ReplayConfiguration { engine.configuration }
}
