import AomiAPI

/// Why nothing recorded answers a request: the request as matched, and the nearest recorded
/// requests with what differs. Goes to the client as a 404 JSON body and to the log.
struct MissDiagnosis {
    let sent: RequestKey
    let clientSession: String
    let position: Int
    let strict: Bool
    let candidates: [Int]
    let scripts: [ReplayScript]
    let tokens: SecretTokens

    /// A recorded request close to the one sent.
    struct Near {
        var session: String
        var request: String
        var differences: [String]
    }

    func outcome() -> ReplayOutcome {
        let nearest = self.nearest(limit: 3)
        let reason = exhaustedReason() ?? (candidates.isEmpty ? "no recorded session is left for session \(clientSession)" : "no recorded request matches")
        var body: [String: JSONValue] = [
            "error": .string("no recorded response for this request"),
            "reason": .string(reason),
            "request": .object([
                "method": .string(sent.method), "path": .string(sent.path),
                "parameters": .object(Dictionary(sent.shownParameters.map { ($0.name, JSONValue.string($0.value)) }, uniquingKeysWith: { first, _ in first })),
                "body": .string(sent.shownBody), "session": .string(clientSession),
            ]),
        ]
        body["nearest"] = .array(
            nearest.map { near in
                .object(["session": .string(near.session), "request": .string(near.request), "differences": .array(near.differences.map(JSONValue.string))])
            })
        let answer = ReplayAnswer.json(status: 404, reason: "Not Found", body: JSONCoding.encode(body), marker: "miss")
        let nearText = nearest.map { "  nearest (session \($0.session)): \($0.request): " + $0.differences.joined(separator: "; ") }
        let explanation = (["\(sent) (session \(clientSession.isEmpty ? "none" : clientSession)): \(reason)"] + nearText).joined(separator: "\n")
        return ReplayOutcome(kind: .miss, status: 404, answer: answer, delay: .zero, streamSession: nil, explanation: explanation)
    }

    private func exhaustedReason() -> String? {
        guard strict else { return nil }
        for index in candidates {
            if let recorded = scripts[index].resolve(sent, tokens: tokens), let queue = scripts[index].queues[recorded], queue.count <= position {
                return "--strict: the recording answered this request \(queue.count) time(s); this is time \(position + 1)"
            }
        }
        return nil
    }

    /// The recorded requests with the fewest differences (session counts as one when it is not the client's).
    func nearest(limit: Int) -> [Near] {
        var scored: [(score: Int, order: Int, near: Near)] = []
        for index in (candidates.isEmpty ? Array(scripts.indices) : candidates) {
            let script = scripts[index]
            for recorded in script.orderedKeys {
                var differences = recorded.differences(from: sent)
                if differences.isEmpty, script.id != clientSession {
                    differences.append("session: recorded in \(script.id), which answers another client session")
                } else if differences.isEmpty {
                    differences.append("every recorded answer was used (--strict)")
                }
                let score = differences.count + (recorded.path == sent.path ? 0 : 3) + (recorded.method == sent.method ? 0 : 2)
                scored.append((score, scored.count, Near(session: script.id, request: recorded.description, differences: differences)))
            }
        }
        var seen: Set<String> = []
        return scored.sorted { ($0.score, $0.order) < ($1.score, $1.order) }.filter { seen.insert($0.near.request).inserted }.prefix(limit).map(\.near)
    }
}
