import BotCore
import Foundation

/// Reminders for an incident nobody acknowledged: after each threshold, name the next level.
///
/// If the bot was down across several thresholds, ``due(triggeredAt:now:acknowledged:alreadySent:)``
/// returns *every* missing level in order, not only the latest: each level names a different
/// person, and skipping one would mean that person is never told. The caller records each level
/// it posted (durably, keyed by incident id + level) and passes them back as `alreadySent`, which
/// is what makes reminders survive restarts and never repeat.
package struct EscalationPlan: Sendable, Equatable {
    package struct Level: Sendable, Equatable, Hashable {
        /// Time since the incident was triggered.
        package var after: Duration
        package var level: Int
        package var who: String

        package init(after: Duration, level: Int, who: String) {
            self.after = after
            self.level = level
            self.who = who
        }
    }

    /// Sorted by `after`; one entry per level number.
    package private(set) var levels: [Level]

    package init(levels: [Level]) {
        var seen = Set<Int>()
        self.levels = levels.sorted { $0.after < $1.after }.filter { seen.insert($0.level).inserted }
    }

    /// From plain configuration values: `[(minutes, level, who)]`.
    package init(minutes: [(minutes: Int, level: Int, who: String)]) {
        self.init(levels: minutes.map { Level(after: .seconds($0.minutes * 60), level: $0.level, who: $0.who) })
    }

    /// 15 min → level 2 engineering manager, 30 min → level 3 VP engineering, 60 min → level 4 CTO.
    package static let standard = EscalationPlan(minutes: [
        (15, 2, "engineering manager"),
        (30, 3, "VP engineering"),
        (60, 4, "CTO"),
    ])

    /// Pure: the levels whose time has come and that were not sent yet, in order.
    /// Nothing once the incident is acknowledged (or resolved: pass `true` for both).
    package func due(triggeredAt: Date, now: Date, acknowledged: Bool, alreadySent: Set<Int>) -> [Level] {
        guard !acknowledged else { return [] }
        let elapsed = now.timeIntervalSince(triggeredAt)
        return levels.filter { $0.after.inSeconds <= elapsed && !alreadySent.contains($0.level) }
    }

    /// When the next unsent level falls due (for the timer), nil when nothing is left to send.
    package func nextDue(triggeredAt: Date, acknowledged: Bool, alreadySent: Set<Int>) -> Date? {
        guard !acknowledged, let next = levels.first(where: { !alreadySent.contains($0.level) }) else { return nil }
        return triggeredAt.addingTimeInterval(next.after.inSeconds)
    }

    /// The thread reminder for one level.
    package static func reminder(_ level: Level, incident: Incident, triggeredAt: Date, now: Date) -> String {
        let waited = ElapsedText.format(seconds: now.timeIntervalSince(triggeredAt))
        return ":rotating_light: Incident #\(incident.number) \"\(SlackText.escaped(incident.title))\" is still unacknowledged after \(waited). "
            + "Escalation level \(level.level): \(level.who), please take a look."
    }
}
