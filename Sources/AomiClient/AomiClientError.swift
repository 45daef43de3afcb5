/// A request that did not go as the real client expects: an HTTP error, an answer it cannot
/// read, or a wallet flow the real client would hang in.
public struct AomiClientError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public init(message: String) {
        self.message = message
    }
}
