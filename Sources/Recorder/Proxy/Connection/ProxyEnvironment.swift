import AomiArchive

/// What the proxy's connection logic asks of the process around it: the state every
/// connection shares (descriptors, write failures, session numbering and attribution). Tests
/// of `ProxyConnectionStateMachine` give it fixed answers.
struct ProxyEnvironment {
    /// Whether the process has run out of file descriptors.
    var descriptorsExhausted: () -> Bool
    /// Whether writes to the archive are failing.
    var recordingFailing: () -> Bool
    /// The next `Aomi-Exchange-Seq` of a session (nil for a request without a session).
    var nextSequence: (String?) -> Int?
    /// Session, wallet and number of an exchange, as its records say them (called once per exchange).
    var exchangeContext: (CapturedRequest, ExchangeInProgress) -> ExchangeContext
}
