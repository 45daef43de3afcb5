extension Transcript {
    /// One time line from a thread's messages and the rest (events, system events, title
    /// changes). Messages keep their thread order whatever their timestamps say; each other
    /// entry goes before the first message that is later than it (a message counting as late
    /// as any message before it), entries of the same time keeping the order given.
    static func interleave(messages: [Entry], others: [Entry]) -> [Entry] {
        let others = others.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        var ordered: [Entry] = []
        ordered.reserveCapacity(messages.count + others.count)
        var next = others.makeIterator()
        var pending = next.next()
        var latest = ""
        for message in messages {
            latest = max(latest, message.time)
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
}
