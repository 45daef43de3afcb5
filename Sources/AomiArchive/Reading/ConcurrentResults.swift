import Synchronization

/// Results written by index from concurrent workers (`DispatchQueue.concurrentPerform`), read in index order.
public final class ConcurrentResults<Value: Sendable>: Sendable {
    private let slots: Mutex<[Value?]>

    public init(count: Int) {
        slots = Mutex(Array(repeating: nil, count: count))
    }

    public func set(_ index: Int, _ value: Value) {
        slots.withLock { $0[index] = value }
    }

    public var values: [Value] { slots.withLock { $0.compactMap { $0 } } }
}
