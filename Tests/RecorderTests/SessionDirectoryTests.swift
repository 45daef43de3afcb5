import AomiAPI
import Testing

@testable import Recorder

/// The recorder's memory of sessions stays bounded, and forgetting never reorders a session.
@Suite struct SessionDirectoryTests {
    @Test func forgottenSessionsKeepTheirOrderAndNewOnesStartAtOne() throws {
        let directory = SessionDirectory(capacity: 8)
        let wallet = try #require(WalletAddress("0x" + String(repeating: "a", count: 40)))
        #expect(directory.nextSequence(of: "kept-apart") == 1)
        #expect(directory.wallet(for: RequestIdentity(sessionID: "kept-apart", wallet: wallet)) == wallet)
        #expect(directory.nextSequence(of: "kept-apart") == 2)
        for number in 0..<1_000 {
            #expect(directory.nextSequence(of: "other-\(number)") == 1, "a session never seen starts at 1")
            #expect(directory.rememberedSessions <= 8)
        }
        let resumed = try #require(directory.nextSequence(of: "kept-apart"))
        #expect(resumed > 2, "a forgotten session goes on above its earlier numbers")
        #expect(directory.nextSequence(of: "kept-apart") == resumed + 1)
        #expect(directory.wallet(for: RequestIdentity(sessionID: "kept-apart", wallet: nil)) == nil, "its wallet is forgotten")
        #expect(directory.wallet(for: RequestIdentity(sessionID: "kept-apart", wallet: wallet)) == wallet, "and learned again from the next request naming it")
    }

    @Test func sessionsInUseAreNeverForgotten() {
        let directory = SessionDirectory(capacity: 8)
        for round in 1...100 {
            #expect(directory.nextSequence(of: "busy") == round)
            _ = directory.nextSequence(of: "passing-\(round)")
        }
    }
}
