extension Transcript {
    /// One time line from a thread's messages and the rest (events, system events, title
    /// changes). Messages keep their thread order whatever their timestamps say; each other
    /// entry goes before the first message that is later than it (a message counting as late
    /// as any message before it), entries of the same time keeping the order given. A message
    /// whose time is a whole second (backends stamp seconds) counts as the moment it was first
    /// recorded within that second, so that the tool events it followed come before it.
    static func interleave(messages: [Entry], others: [Entry]) -> [Entry] {
        let others = others.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        var ordered: [Entry] = []
        ordered.reserveCapacity(messages.count + others.count)
        var next = others.makeIterator()
        var pending = next.next()
        var latest = ""
        for message in messages {
            latest = max(latest, orderingTime(of: message))
            while let other = pending, other.time < latest {
                ordered.append(other)
                pending = next.next()
            }
            ordered.append(message)
        }
        while let other = pending {
            ordered.append(other)
            pending = next.next()
        }
        return ordered
    }

    /// A message's time, or when it was first recorded if that falls within the message's own
    /// whole second (`…:23.000000Z` first seen at `…:23.412000Z` counts as `…:23.412000Z`).
    static func orderingTime(of message: Entry) -> String {
        guard let firstSeen = message.firstSeen, isWholeSecond(message.time), firstSeen > message.time,
            firstSeen.prefix(19) == message.time.prefix(19)
        else { return message.time }
        return firstSeen
    }

    /// Whether a `WARC-Date` string names a whole second (`…:23Z`, `…:23.000000Z`).
    public static func isWholeSecond(_ time: String) -> Bool {
        guard time.count >= 20 else { return false }
        return time.dropFirst(19).allSatisfy { $0 == "." || $0 == "0" || $0 == "Z" }
    }
}
