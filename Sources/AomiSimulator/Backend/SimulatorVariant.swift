/// A stand-in backend that disagrees with itself on purpose, so that `rerun`'s comparison can
/// be tested and shown: the same messages, a different agent.
public enum SimulatorVariant: String, Sendable, CaseIterable {
    /// Swap and transfer amounts (and the wallet request's `value`) differ from the plain agent's.
    case amounts
    /// The agent answers as usual but raises no wallet request.
    case noWallet = "no-wallet"
    /// The agent thinks twice as long before its first output.
    case slow
}
