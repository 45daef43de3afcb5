import AomiAPI
import Synchronization

/// What the recorder remembers of each session: the wallet it was bound to (learned from any
/// request that names one) and the number of its last exchange. Called from the event loops,
/// so it is a lock, not an actor.
final class SessionDirectory: Sendable {
    private struct State {
        var wallets: [String: WalletAddress] = [:]
        var sequences: [String: Int] = [:]
    }

    private let state = Mutex(State())

    /// Numbers a request of `session` in order of arrival (nil without a session).
    func nextSequence(of session: String?) -> Int? {
        guard let session else { return nil }
        return state.withLock { state in
            let sequence = (state.sequences[session] ?? 0) + 1
            state.sequences[session] = sequence
            return sequence
        }
    }

    /// Learns the wallet a request names, and returns the wallet its session is bound to.
    func wallet(for identity: RequestIdentity) -> WalletAddress? {
        guard let session = identity.sessionID else { return identity.wallet }
        return state.withLock { state in
            if let wallet = identity.wallet { state.wallets[session] = wallet }
            return state.wallets[session]
        }
    }
}
