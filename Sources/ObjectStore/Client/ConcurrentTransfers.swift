/// Transfers of several objects at once: a store answers one connection's `GET` at a
/// fraction of what it serves several, and a folder of archives is several objects.
enum ConcurrentTransfers {
    /// How many transfers run at once.
    static let width = 4

    /// `body` of each of `items`, at most `width` at once; the results in the items' order.
    /// The first failure ends the others and is thrown.
    static func map<Item: Sendable, Result: Sendable>(
        _ items: [Item], _ body: @escaping @Sendable (Item) async throws(StoreError) -> Result
    ) async throws(StoreError) -> [Result] {
        do {
            return try await withThrowingTaskGroup(of: (Int, Result).self) { group in
                var results = [Result?](repeating: nil, count: items.count)
                var next = 0
                func start() {
                    guard next < items.count else { return }
                    let index = next
                    next += 1
                    group.addTask { (index, try await body(items[index])) }
                }
                for _ in 0..<min(width, items.count) { start() }
                while let (index, result) = try await group.next() {
                    results[index] = result
                    start()
                }
                return results.map { $0! }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw .unreachable(operation: "transfer", key: "", reason: "\(error)")
        }
    }
}
