import Synchronization

/// Numbers for file names shared by several writers (one per folder of an archive root), so
/// that no two files of the root get the same name: tools such as pywb's `wb-manager add`
/// put files of many folders into one collection.
public final class WARCFileNumbers: Sendable {
    private let last = Atomic<Int>(0)

    public init() {}

    /// The next number, from 1.
    public func next() -> Int {
        last.add(1, ordering: .relaxed).newValue
    }
}
