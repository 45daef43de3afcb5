import Testing

@testable import ArchiveBrowser

/// The browser's cache of sessions read from their files: a session is read once while its
/// files are unchanged, and a session the index no longer knows leaves it at the next refresh.
struct SessionCacheTests {
    @Test func aPurgedSessionIsReadAgainAndTheOthersStayCached() throws {
        let cache = SessionCache()
        var reads: [String] = []
        func look(_ id: String) {
            _ = cache.session(id, files: []) {
                reads.append(id)
                return nil
            }
        }
        look("forgotten")
        look("kept")
        look("forgotten")
        look("kept")
        #expect(reads == ["forgotten", "kept"], "read once each while their files are unchanged")

        cache.purge { $0 == "forgotten" }
        #expect(cache.sessionIDs == ["kept"])
        look("forgotten")
        look("kept")
        #expect(reads == ["forgotten", "kept", "forgotten"], "only the purged one is read again")
    }
}
