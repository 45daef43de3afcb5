import Synchronization
import WARC

/// A recorded response body: small ones are held in memory; larger ones are read from their
/// record when first served and kept from then on, so that a replay of a large archive root
/// holds only what its clients ask for. Revisits share their original's payload.
public final class Payload: Sendable {
    /// Bodies up to this many bytes are kept when the archive is loaded.
    static let inlineLimit = 1024

    public let count: Int
    /// The record holding the body, nil for a body held from the start.
    public let location: RecordLocation?
    private let cached: Mutex<[UInt8]?>

    public init(bytes: [UInt8]) {
        count = bytes.count
        location = nil
        cached = Mutex(bytes)
    }

    /// A body of `count` bytes in the HTTP message of the record at `location`.
    init(count: Int, location: RecordLocation) {
        self.count = count
        self.location = location
        cached = Mutex(nil)
    }

    /// The body; an unreadable record (the file changed or was damaged since it was loaded)
    /// gives no bytes. `loaded` tells the two apart.
    public var bytes: [UInt8] { loaded ?? [] }

    /// The body, or nil when its record can no longer be read (the file changed since it was
    /// loaded, or the body was deferred and its member is damaged). A failure is not kept:
    /// the next call reads again.
    public var loaded: [UInt8]? {
        cached.withLock { cached in
            if let cached { return cached }
            let loaded = location.flatMap(Self.read)
            cached = loaded
            return loaded
        }
    }

    private static func read(_ location: RecordLocation) -> [UInt8]? {
        // A small window: one member is read, and the window grows if the member needs it.
        guard let reader = try? WARCFileReader(path: location.file, options: WARCReaderOptions(startOffset: location.offset, windowBytes: 64 << 10)) else {
            return nil
        }
        while case let .record(stored)? = reader.next(), stored.offset == location.offset {
            if stored.positionInBundle == location.positionInBundle { return stored.record.httpPayload.map(Array.init) }
        }
        return nil
    }
}
