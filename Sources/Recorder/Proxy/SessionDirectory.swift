import AomiAPI
import AomiArchive
import Synchronization

/// What the recorder remembers of each session: the wallet it was bound to (learned from any
/// request that names one) and the number of its last exchange. Called from the event loops,
/// so it is a lock, not an actor.
///
/// Memory is bounded: past `capacity` sessions (and as many `client_id`s) the least recently
/// used are forgotten. A forgotten session that comes back relearns its wallet from the next
/// request naming it, and its numbers go on above every number handed out so far, so its
/// exchanges keep their order.
final class SessionDirectory: Sendable {
    private struct Session {
        var wallet: WalletAddress?
        var sequence = 0
    }

    private struct State {
        var sessions: RecentlyUsed<String, Session>
        /// The session each `client_id` was last seen with.
        var sessionsByClient: RecentlyUsed<String, String>
        /// How many numbers were handed out, over all sessions: where a forgotten session resumes.
        var numbered = 0
        /// Every session ever numbered, to tell a forgotten one from a new one (which starts at 1).
        var seen = SeenFilter()
    }

    private let state: Mutex<State>

    init(capacity: Int = RecorderConfiguration.defaultSessionMemory) {
        state = Mutex(State(sessions: RecentlyUsed(capacity: capacity), sessionsByClient: RecentlyUsed(capacity: capacity)))
    }

    /// Sessions remembered now (at most the capacity).
    var rememberedSessions: Int { state.withLock { $0.sessions.count } }

    /// Numbers a request of `session` in order of arrival (nil without a session).
    func nextSequence(of session: String?) -> Int? {
        guard let session else { return nil }
        return state.withLock { Self.next(of: session, in: &$0) }
    }

    private static func next(of session: String, in state: inout State) -> Int {
        state.numbered += 1
        var entry: Session
        if let known = state.sessions.value(for: session) {
            entry = known
        } else if state.seen.mayContain(session) {
            entry = Session(sequence: state.numbered - 1)
        } else {
            state.seen.insert(session)
            entry = Session()
        }
        entry.sequence += 1
        state.sessions.set(entry, for: session)
        return entry.sequence
    }

    /// Who a request belongs to. A request with `X-Session-Id` teaches which session its
    /// `client_id` belongs to; one without (the real client's secrets calls) belongs to the
    /// session last seen with its `client_id`, and takes that session's next number.
    func attribute(session: String?, sequence: Int?, clientID: String?) -> (session: String?, sequence: Int?) {
        guard let clientID, clientID.utf8.count <= RequestIdentity.maxIdentifierBytes else { return (session, sequence) }
        return state.withLock { state in
            if let session {
                state.sessionsByClient.set(session, for: clientID)
                return (session, sequence)
            }
            guard let known = state.sessionsByClient.value(for: clientID) else { return (nil, nil) }
            return (known, Self.next(of: known, in: &state))
        }
    }

    /// Learns the wallet a request names, and returns the wallet its session is bound to.
    func wallet(for identity: RequestIdentity) -> WalletAddress? {
        guard let session = identity.sessionID else { return identity.wallet }
        return state.withLock { state in
            var entry = state.sessions.value(for: session) ?? Session()
            if let wallet = identity.wallet {
                entry.wallet = wallet
                state.sessions.set(entry, for: session)
            }
            return entry.wallet
        }
    }
}
