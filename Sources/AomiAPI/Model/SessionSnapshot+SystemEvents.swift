extension SessionSnapshot {
    /// The paths whose answers hand out the session's queued system events: each event is in
    /// the `system_events` of one answer only (`GET /api/events` keeps the whole history).
    public static let drainingPaths: Set<String> = [AomiPath.chat, AomiPath.state, AomiPath.interrupt]

    /// A snapshot's bytes with its `system_events` emptied and every other byte as it was; nil
    /// when the body is not a JSON object or its `system_events` is absent or already empty.
    /// What a replay answers when it repeats a recorded snapshot: the events went out once.
    public static func withoutSystemEvents(_ body: [UInt8]) -> [UInt8]? {
        body.withUnsafeBufferPointer { bytes -> [UInt8]? in
            let scanner = JSONScanner(bytes: bytes)
            guard let range = scanner.topLevelValues(for: [CodingKeys.systemEvents.rawValue])?[CodingKeys.systemEvents.rawValue],
                let elements = scanner.elements(of: range), !elements.isEmpty
            else { return nil }
            return Array(body[..<range.lowerBound]) + Array("[]".utf8) + Array(body[range.upperBound...])
        }
    }
}
