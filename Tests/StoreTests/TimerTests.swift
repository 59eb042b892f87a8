import Store
import Testing

/// Durable timers: once per key, claimed once, and a re-armed timer never finished by an older firing.
@Suite struct TimerTests {
    @Test func scheduleIsIdempotentAndClaimedOnce() async throws {
        try await withStore { store, _ in
            #expect(try await store.scheduleTimer(key: "k", kind: "revert", dueAt: 1_000, payload: "{}") == .scheduled)
            #expect(try await store.scheduleTimer(key: "k", kind: "revert", dueAt: 5_000, payload: "{}") == .exists(state: "pending"))
            #expect(try await store.dueTimers(now: 999).isEmpty)
            let due = try #require(try await store.dueTimers(now: 1_000).first)
            #expect(try await store.claimTimer(due))
            #expect(try await store.claimTimer(due) == false)
            try await store.finishTimer(due)
            #expect(try await store.timerState(key: "k") == "done")
        }
    }

    @Test func anOldFiringNeverFinishesANewerSchedule() async throws {
        try await withStore { store, _ in
            try await store.scheduleTimer(key: "revert:bypass", kind: "revert", dueAt: 1_000, payload: "old")
            let old = try #require(try await store.dueTimers(now: 1_000).first)
            #expect(try await store.claimTimer(old))
            // A new bypass is approved while the old revert is still running: re-armed for later.
            try await store.scheduleTimer(key: "revert:bypass", kind: "revert", dueAt: 9_000, payload: "new", replace: true)
            try await store.finishTimer(old)
            try await store.retryTimer(old, retryAt: 2_000)
            #expect(try await store.timerState(key: "revert:bypass") == "pending")
            #expect(try await store.dueTimers(now: 8_999).isEmpty)
            let new = try #require(try await store.dueTimers(now: 9_000).first)
            #expect(new.payload == "new")
            #expect(try await store.claimTimer(old) == false)
            #expect(try await store.claimTimer(new))
        }
    }

    @Test func cancelAndPrefixCancel() async throws {
        try await withStore { store, _ in
            for level in 2...4 { try await store.scheduleTimer(key: "pd-escalation:P1:\(level)", kind: "e", dueAt: 1, payload: "") }
            try await store.scheduleTimer(key: "pd-escalation:P10:2", kind: "e", dueAt: 1, payload: "")
            #expect(try await store.cancelTimers(prefix: "pd-escalation:P1:") == 3)
            #expect(try await store.dueTimers(now: 10).map(\.key) == ["pd-escalation:P10:2"])
            #expect(try await store.cancelTimer(key: "pd-escalation:P10:2"))
            #expect(try await store.cancelTimer(key: "pd-escalation:P10:2") == false)
        }
    }
}
