import Foundation
import Testing
@testable import PagerDuty

@Suite struct IncidentTimelineTests {
    static let t0 = Date(timeIntervalSince1970: 1_714_564_800)  // 2024-05-01 12:00:00 UTC
    static func at(_ minutes: Double) -> Date { t0.addingTimeInterval(minutes * 60) }

    static let incident = Incident(
        id: "PGR0VU2", number: 2, title: "API gateway p95 latency | above 500 ms", status: "resolved", urgency: "high",
        priority: "P1", service: .init(id: "PF9KMXH", summary: "Hybrid AI API"), assignees: ["Bob On-Call"],
        htmlURL: "https://acme.pagerduty.com/incidents/PGR0VU2")

    /// A scripted incident, deliberately passed out of order.
    static let timeline = IncidentTimeline(
        incident: incident,
        activities: [
            IncidentActivity(type: .resolved, at: at(30), agent: "Bob On-Call"),
            IncidentActivity(type: .triggered, at: at(0), agent: "Datadog"),
            IncidentActivity(type: .escalated, at: at(10)),
            IncidentActivity(type: .acknowledged, at: at(12), agent: "Bob On-Call"),
        ],
        entries: [
            TimelineEntry(at: at(8), user: "U01ALICE", kind: "result", command: "cache flush", outcome: "ok: 1204 keys"),
            TimelineEntry(at: at(-10), user: "U09EARLY", kind: "command", command: "status", outcome: "ok"),
            TimelineEntry(at: at(3), user: "U01ALICE", kind: "command", command: "latency check", outcome: "p95 812 ms"),
            TimelineEntry(at: at(5), user: "U01ALICE", kind: "approval_requested", command: "cache flush", outcome: "pending"),
            TimelineEntry(at: at(7), user: "U02BOB", kind: "approved", command: "cache flush", outcome: "1 of 1"),
            TimelineEntry(at: at(45), user: "U09LATE", kind: "command", command: "status", outcome: "ok"),
        ])

    @Test func timesAndDurations() {
        let timeline = Self.timeline
        #expect(timeline.triggeredAt == Self.at(0))
        #expect(timeline.acknowledged?.at == Self.at(12))
        #expect(timeline.resolved?.at == Self.at(30))
        #expect(timeline.timeToAcknowledge == 720)
        #expect(timeline.timeToResolve == 1800)
        #expect(timeline.entriesWhileOpen.map(\.at) == [Self.at(3), Self.at(5), Self.at(7), Self.at(8)])
    }

    @Test func markdownHeaderAndSummary() {
        let md = Self.timeline.markdown()
        #expect(md.hasPrefix("# Post-incident report: #2 API gateway p95 latency | above 500 ms\n"))
        #expect(md.contains("| Incident | [#2](https://acme.pagerduty.com/incidents/PGR0VU2) API gateway p95 latency \\| above 500 ms |"))
        #expect(md.contains("| Service | Hybrid AI API |"))
        #expect(md.contains("| Urgency / priority | high / P1 |"))
        #expect(md.contains("| Triggered | 2024-05-01 12:00:00 UTC |"))
        #expect(md.contains("| Acknowledged | 2024-05-01 12:12:00 UTC by Bob On-Call |"))
        #expect(md.contains("| Resolved | 2024-05-01 12:30:00 UTC by Bob On-Call |"))
        #expect(md.contains("| Time to acknowledge | 12 min |"))
        #expect(md.contains("| Time to resolve | 30 min |"))
        for section in ["## Impact", "## Root cause", "## Follow-ups", "## Approvals", "## Commands run while open"] {
            #expect(md.contains(section), "\(section)")
        }
    }

    @Test func timelineIsChronologicalAndBoundedByTheIncident() throws {
        let md = Self.timeline.markdown()
        let expectedOrder = [
            "| 12:00:00 | Datadog | PagerDuty: triggered |",
            "| 12:03:00 | U01ALICE | command | `latency check` | p95 812 ms |",
            "| 12:05:00 | U01ALICE | approval_requested | `cache flush` | pending |",
            "| 12:07:00 | U02BOB | approved | `cache flush` | 1 of 1 |",
            "| 12:08:00 | U01ALICE | result | `cache flush` | ok: 1204 keys |",
            "| 12:10:00 | PagerDuty | PagerDuty: escalated |",
            "| 12:12:00 | Bob On-Call | PagerDuty: acknowledged |",
            "| 12:30:00 | Bob On-Call | PagerDuty: resolved |",
        ]
        var cursor = md.startIndex
        for line in expectedOrder {
            let found = try #require(md.range(of: line, range: cursor..<md.endIndex), "missing or out of order: \(line)")
            cursor = found.upperBound
        }
        #expect(!md.contains("U09EARLY"))
        #expect(!md.contains("U09LATE"))
    }

    @Test func commandsAndApprovalsSections() {
        let md = Self.timeline.markdown()
        #expect(md.contains("- 12:03:00 `latency check` by U01ALICE → p95 812 ms"))
        #expect(md.contains("- 12:08:00 `cache flush` by U01ALICE → ok: 1204 keys"))
        #expect(md.contains("- 12:05:00 approval requested for `cache flush` — U01ALICE (pending)"))
        #expect(md.contains("- 12:07:00 approved `cache flush` — U02BOB (1 of 1)"))
    }

    @Test func openIncidentHasNoResolutionAndKeepsLaterEntries() {
        let open = IncidentTimeline(
            incident: Self.incident,
            activities: [IncidentActivity(type: .triggered, at: Self.at(0))],
            entries: [TimelineEntry(at: Self.at(45), user: "U09LATE", kind: "command", command: "status", outcome: "ok")])
        #expect(open.resolved == nil)
        #expect(open.timeToResolve == nil)
        let md = open.markdown()
        #expect(md.contains("| Resolved | not yet |"))
        #expect(md.contains("| Time to acknowledge | — |"))
        #expect(md.contains("U09LATE"))
    }

    @Test func reopenedIncidentIsNotResolved() {
        let reopened = IncidentTimeline(
            incident: Self.incident,
            activities: [
                IncidentActivity(type: .triggered, at: Self.at(0)), IncidentActivity(type: .resolved, at: Self.at(5)),
                IncidentActivity(type: .reopened, at: Self.at(9)),
            ],
            entries: [])
        #expect(reopened.resolved == nil)
    }

    @Test func triggeredFallsBackToCreatedAt() {
        var incident = Self.incident
        incident.createdAt = "2024-05-01T11:58:00Z"
        let timeline = IncidentTimeline(
            incident: incident, activities: [IncidentActivity(type: .acknowledged, at: Self.at(1))], entries: [])
        #expect(timeline.triggeredAt == Self.at(-2))
        #expect(timeline.timeToAcknowledge == 180)
    }

    @Test func multiDayIncidentShowsDates() {
        let long = IncidentTimeline(
            incident: Self.incident,
            activities: [IncidentActivity(type: .triggered, at: Self.at(0)), IncidentActivity(type: .resolved, at: Self.at(13 * 60))],
            entries: [TimelineEntry(at: Self.at(12 * 60 + 5), user: "U1", kind: "command", command: "status", outcome: "ok")])
        #expect(long.markdown().contains("| 2024-05-02 00:05:00 | U1 | command |"))
        #expect(long.markdown().contains("| Time to resolve | 13 h |"))
    }

    @Test func timelineEntryFromAuditString() {
        #expect(TimelineEntry(at: "2024-05-01T12:03:00Z", user: "U1", kind: "command", command: "x", outcome: "ok")?.at == Self.at(3))
        #expect(TimelineEntry(at: "not a time", user: "U1", kind: "command", command: "x", outcome: "ok") == nil)
    }

    @Test(arguments: [
        (nil as Double?, 48.0, false, false),
        (0, 23.9, false, false),
        (0, 24, false, true),
        (0, 30, false, true),
        (0, 30, true, false),
    ] as [(Double?, Double, Bool, Bool)])
    func reportReminder(resolvedHour: Double?, nowHour: Double, written: Bool, due: Bool) {
        let resolvedAt = resolvedHour.map { Self.at($0 * 60) }
        #expect(IncidentTimeline.reportReminderDue(resolvedAt: resolvedAt, now: Self.at(nowHour * 60), reportWritten: written) == due)
    }
}
