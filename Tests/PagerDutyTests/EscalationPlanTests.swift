import Foundation
import Testing
@testable import PagerDuty

@Suite struct EscalationPlanTests {
    static let triggered = Date(timeIntervalSince1970: 1_714_564_800)
    static func at(_ minutes: Double) -> Date { triggered.addingTimeInterval(minutes * 60) }
    let plan = EscalationPlan.standard

    func due(_ minutes: Double, acknowledged: Bool = false, sent: Set<Int> = []) -> [Int] {
        plan.due(triggeredAt: Self.triggered, now: Self.at(minutes), acknowledged: acknowledged, alreadySent: sent).map(\.level)
    }

    @Test func standardLevels() {
        #expect(plan.levels.map(\.level) == [2, 3, 4])
        #expect(plan.levels.map(\.who) == ["engineering manager", "VP engineering", "CTO"])
        #expect(plan.levels.map { $0.after } == [.seconds(900), .seconds(1800), .seconds(3600)])
    }

    @Test(arguments: [(0.0, []), (14.99, []), (15, [2]), (29, [2]), (30, [2, 3]), (59, [2, 3]), (60, [2, 3, 4]), (600, [2, 3, 4])] as [(Double, [Int])])
    func levelsFallDueAtThresholds(_ minutes: Double, expected: [Int]) {
        #expect(due(minutes) == expected)
    }

    @Test func eachLevelAtMostOnce() {
        #expect(due(16, sent: [2]) == [])
        #expect(due(31, sent: [2]) == [3])
        #expect(due(61, sent: [2, 3, 4]) == [])
    }

    @Test func botDownAcrossThresholdsGetsEveryMissingLevelInOrder() {
        #expect(due(75, sent: [2]) == [3, 4])
    }

    @Test func nothingOnceAcknowledged() {
        #expect(due(90, acknowledged: true) == [])
    }

    @Test func nextDueSchedulesTheTimer() {
        #expect(plan.nextDue(triggeredAt: Self.triggered, acknowledged: false, alreadySent: []) == Self.at(15))
        #expect(plan.nextDue(triggeredAt: Self.triggered, acknowledged: false, alreadySent: [2]) == Self.at(30))
        #expect(plan.nextDue(triggeredAt: Self.triggered, acknowledged: false, alreadySent: [2, 3, 4]) == nil)
        #expect(plan.nextDue(triggeredAt: Self.triggered, acknowledged: true, alreadySent: []) == nil)
    }

    @Test func customPlanIsSortedAndDeduplicated() {
        let custom = EscalationPlan(minutes: [(10, 3, "lead"), (5, 2, "buddy"), (20, 3, "duplicate")])
        #expect(custom.levels.map(\.who) == ["buddy", "lead"])
    }

    @Test func reminderNamesLevelAndPerson() {
        let incident = Incident(id: "PGR0VU2", number: 2, title: "API slow", status: "triggered")
        let text = EscalationPlan.reminder(plan.levels[1], incident: incident, triggeredAt: Self.triggered, now: Self.at(31))
        #expect(text.contains("#2"))
        #expect(text.contains("31 min"))
        #expect(text.contains("level 3: VP engineering"))
    }
}
