extension BatchLoader {
    /// Writes what the batch learned about its sessions: session rows, titles, messages (and
    /// their search text) and the system events already seen.
    mutating func flush() throws {
        if let stream = takeWholeStream() { try loadWholeStream(stream, eventList: nil) }
        for session in touchedSessions {
            let thread = accumulator(session)
            try writer.writeSession(thread)
            for title in thread.titles {
                try writer.insertTitle(session: session, title: title.text, seen: title.seen)
            }
            try writeMessages(thread)
            for hash in thread.newSystemEvents {
                try writer.insertSystemEventSeen(session: session, hash: hash)
            }
        }
    }

    private mutating func writeMessages(_ thread: ThreadAccumulator) throws {
        for (position, message) in thread.messages.enumerated() {
            if let rowID = message.rowID {
                if message.contentChanged {
                    try writer.updateMessage(message, rowID: rowID, of: thread)
                    countMessage()
                } else if message.seenChanged {
                    try writer.updateSeen(message, rowID: rowID)
                }
            } else {
                try writer.insertMessage(message, position: position, of: thread)
                countMessage()
            }
        }
    }
}
