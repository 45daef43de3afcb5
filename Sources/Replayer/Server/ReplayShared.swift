import Logging

/// What every connection of one replay server shares.
struct ReplayShared: Sendable {
    let engine: ReplayEngine
    let fallback: ReplayFallback?
    let logger: Logger

    var configuration: ReplayConfiguration { engine.configuration }
}
