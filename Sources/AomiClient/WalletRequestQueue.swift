import AomiAPI

/// The real client's pending wallet requests for one session (`Session`'s wallet request
/// queue): every `system_events` entry of every snapshot it reads is dispatched, a request is
/// keyed by its ids, and an answered request is removed and forgotten. So the same request
/// handed out again after its answer is a new pending request, and `Session.send()`, which
/// waits until none is pending, never resolves.
///
/// The user behind the client remembers what they signed: a request that comes back after its
/// answer is not answered twice, and the driver stops the turn at once with an error naming
/// it, where the client would wait forever.
public struct WalletRequestQueue: Sendable {
    public init() {}

    /// Pending requests in arrival order, with the polls each has waited for its answer.
    public private(set) var pending: [(request: PendingWalletRequest, pollsWaited: Int)] = []
    /// Every request dispatched, in order (the report's `wallet_requests`).
    public private(set) var seen: [PendingWalletRequest] = []
    /// Keys the user answered: only for the error, never to ignore a request.
    private var answered: Set<String> = []

    public var isEmpty: Bool { pending.isEmpty }

    /// Takes in the wallet requests among a snapshot's system events. A request already
    /// pending under its key stays one request; one answered before is pending again, and
    /// throws.
    public mutating func dispatch(_ snapshot: SessionSnapshot, turn: Int) throws(AomiClientError) {
        for event in snapshot.systemEvents {
            guard let request = PendingWalletRequest(event: event, userState: snapshot.userState) else { continue }
            guard !pending.contains(where: { $0.request.key == request.key }) else { continue }
            pending.append((request, 0))
            seen.append(request)
            if answered.contains(request.key) {
                throw AomiClientError(
                    message: "turn \(turn): \(request.kind.rawValue) \(request.key) was handed out again after it was answered; the real client "
                        + "keeps no memory of answered requests, takes it for a new pending one, and its Session.send() never resolves "
                        + "(a backend hands each system event out once)")
            }
        }
    }

    /// Counts one more poll for every pending request.
    public mutating func notePoll() {
        for index in pending.indices { pending[index].pollsWaited += 1 }
    }

    /// The oldest pending request once it has waited `polls` polls: the one the user answers now.
    public func due(after polls: Int) -> PendingWalletRequest? {
        pending.first.flatMap { $0.pollsWaited >= polls ? $0.request : nil }
    }

    /// Removes an answered request, as `resolve()` and `reject()` do.
    public mutating func remove(_ request: PendingWalletRequest) {
        pending.removeAll { $0.request.key == request.key }
        answered.insert(request.key)
    }

    /// The keys still pending, for a message.
    public var pendingKeys: String { pending.map(\.request.key).joined(separator: ", ") }
}
