import Foundation
import Testing
@testable import PagerDuty

@Suite struct IncidentStateTests {
    typealias E = WebhookEvent.EventType
    static let t0 = Date(timeIntervalSince1970: 1_714_564_800)
    static func t(_ minutes: Double) -> Date { t0.addingTimeInterval(minutes * 60) }

    /// Applies events in arrival order the way the integrator would, returning the final status.
    static func replay(_ events: [(E, Double)]) -> IncidentStatus? {
        var state: IncidentState?
        for (type, minute) in events {
            if let current = state {
                state = current.deciding(type, at: t(minute)).state
            } else {
                state = IncidentState.initial(for: type, at: t(minute), snapshotStatus: nil)
            }
        }
        return state?.status
    }

    @Test(arguments: [
        ("in order", [(E.triggered, 0.0), (.acknowledged, 2), (.resolved, 9)], IncidentStatus.resolved),
        ("ack arrives after resolve", [(E.triggered, 0.0), (.resolved, 9), (.acknowledged, 2)], .resolved),
        ("trigger arrives last", [(E.acknowledged, 2.0), (.resolved, 9), (.triggered, 0)], .resolved),
        ("trigger after ack", [(E.acknowledged, 2.0), (.triggered, 0)], .acknowledged),
        ("newer unack moves back", [(E.triggered, 0.0), (.acknowledged, 2), (.unacknowledged, 32)], .triggered),
        ("older unack is ignored", [(E.triggered, 0.0), (.acknowledged, 40), (.unacknowledged, 32)], .acknowledged),
        ("unack then late ack that was earlier", [(E.triggered, 0.0), (.unacknowledged, 32), (.acknowledged, 2)], .triggered),
        ("re-ack after unack", [(E.triggered, 0.0), (.acknowledged, 2), (.unacknowledged, 32), (.acknowledged, 35)], .acknowledged),
        ("unack on triggered changes nothing", [(E.triggered, 0.0), (.unacknowledged, 5)], .triggered),
        ("unack on resolved changes nothing", [(E.resolved, 9.0), (.unacknowledged, 12)], .resolved),
        ("ack on resolved is ignored even if newer", [(E.resolved, 9.0), (.acknowledged, 12)], .resolved),
        ("newer reopen", [(E.triggered, 0.0), (.resolved, 9), (.reopened, 20)], .triggered),
        ("older reopen is ignored", [(E.triggered, 0.0), (.resolved, 9), (.reopened, 5)], .resolved),
        ("newer trigger reopens", [(E.resolved, 9.0), (.triggered, 20)], .triggered),
        ("escalation never moves status", [(E.acknowledged, 2.0), (.escalated, 15), (.reassigned, 16)], .acknowledged),
        ("same instant: only forward", [(E.acknowledged, 2.0), (.triggered, 2)], .acknowledged),
        ("same instant forward", [(E.triggered, 2.0), (.acknowledged, 2)], .acknowledged),
    ])
    func outOfOrderSequences(_ label: String, events: [(E, Double)], expected: IncidentStatus) {
        #expect(Self.replay(events) == expected, "\(label)")
    }

    @Test func lateStatusEventMovesStatusButNotSnapshot() {
        let state = IncidentState(status: .triggered, statusAt: Self.t(0), lastEventAt: Self.t(15))  // escalated at 15
        let decision = state.deciding(.acknowledged, at: Self.t(10))
        #expect(decision.statusChanged)
        #expect(!decision.takeSnapshot)
        #expect(!decision.ignored)
        #expect(decision.state == IncidentState(status: .acknowledged, statusAt: Self.t(10), lastEventAt: Self.t(15)))
    }

    @Test func newerDetailEventTakesSnapshotOnly() {
        let state = IncidentState(status: .acknowledged, statusAt: Self.t(2))
        let decision = state.deciding(.priorityUpdated, at: Self.t(5))
        #expect(!decision.statusChanged)
        #expect(decision.takeSnapshot)
        #expect(decision.state.status == .acknowledged)
        #expect(decision.state.lastEventAt == Self.t(5))
        #expect(decision.state.statusAt == Self.t(2))
    }

    @Test func olderDetailEventIsIgnored() {
        let state = IncidentState(status: .acknowledged, statusAt: Self.t(2), lastEventAt: Self.t(15))
        let decision = state.deciding(.reassigned, at: Self.t(10))
        #expect(decision.ignored)
        #expect(!decision.takeSnapshot)
        #expect(decision.state == state)
    }

    @Test func staleEventIsIgnored() {
        let state = IncidentState(status: .resolved, statusAt: Self.t(9))
        let decision = state.deciding(.acknowledged, at: Self.t(2))
        #expect(decision.ignored)
        #expect(decision.state == state)
        #expect(!decision.statusChanged)
    }

    @Test func redeliveredEventIsIgnored() {
        let state = IncidentState(status: .acknowledged, statusAt: Self.t(2))
        #expect(state.deciding(.acknowledged, at: Self.t(2)).ignored)
    }

    @Test func initialStateComesFromTypeOrSnapshot() {
        #expect(IncidentState.initial(for: .acknowledged, at: Self.t(1), snapshotStatus: .triggered)?.status == .acknowledged)
        #expect(IncidentState.initial(for: .escalated, at: Self.t(1), snapshotStatus: .acknowledged)?.status == .acknowledged)
        #expect(IncidentState.initial(for: .escalated, at: Self.t(1), snapshotStatus: nil) == nil)
        #expect(IncidentState.initial(for: .ping, at: Self.t(1), snapshotStatus: .triggered) == nil)
        #expect(IncidentState.initial(for: .other("service.created"), at: Self.t(1), snapshotStatus: .triggered) == nil)
    }

    @Test func stateSurvivesACodableRoundTrip() throws {
        let state = IncidentState(status: .acknowledged, statusAt: Self.t(2), lastEventAt: Self.t(3))
        let data = try JSONEncoder().encode(state)
        #expect(try JSONDecoder().decode(IncidentState.self, from: data) == state)
    }
}
