import AomiAPI
import Synchronization

/// What the recorder remembers of each session: the wallet it was bound to (learned from any
/// request that names one) and the number of its last exchange. Called from the event loops,
/// so it is a lock, not an actor.
final class SessionDirectory: Sendable {
    private struct State {
        var wallets: [String: WalletAddress] = [:]
        var sequences: [String: Int] = [:]
        /// The session each `client_id` was last seen with.
        var sessionsByClient: [String: String] = [:]
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

    /// Who a request belongs to. A request with `X-Session-Id` teaches which session its
    /// `client_id` belongs to; one without (the real client's secrets calls) belongs to the
    /// session last seen with its `client_id`, and takes that session's next number.
    func attribute(session: String?, sequence: Int?, clientID: String?) -> (session: String?, sequence: Int?) {
        guard let clientID, clientID.utf8.count <= RequestIdentity.maxIdentifierBytes else { return (session, sequence) }
        if let session {
            state.withLock { $0.sessionsByClient[clientID] = session }
            return (session, sequence)
        }
        guard let known = state.withLock({ $0.sessionsByClient[clientID] }) else { return (nil, nil) }
        return (known, nextSequence(of: known))
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
