import Foundation

/// Results written by index from concurrent workers (`DispatchQueue.concurrentPerform`), read in index order.
final class ConcurrentResults<Value: Sendable>: @unchecked Sendable {
    private var slots: [Value?]
    private let lock = NSLock()

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
    }

    func set(_ index: Int, _ value: Value) {
        lock.withLock { slots[index] = value }
    }

    var values: [Value] { lock.withLock { slots.compactMap { $0 } } }
}
