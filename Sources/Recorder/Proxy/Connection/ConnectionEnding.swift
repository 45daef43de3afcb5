/// Whether a client connection of the proxy stays open after the response in flight.
enum ConnectionEnding: Equatable {
    /// Kept alive, as the client asked.
    case keepOpen
    /// Closed after the response in flight: the client asked, or what it sent cannot be
    /// read on from (a refused body, a request cut short).
    case closeAfterResponse
    /// The proxy is stopping: an idle connection closes now, a busy one after its exchange.
    case stopping

    /// Asks for a close after the response, unless the connection is already stopping.
    mutating func closeAfterResponse() {
        if self == .keepOpen { self = .closeAfterResponse }
    }
}
