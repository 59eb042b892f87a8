import Foundation

/// What the bot last applied for one incident, stored by the integrator next to the Slack message.
///
/// Webhooks arrive at least once and out of order, so every event is judged by its `occurred_at`:
/// - status events (triggered/reopened, acknowledged, unacknowledged, resolved) are compared with
///   `statusAt`, the time of the last applied status event; an older one never changes the status;
/// - the incident snapshot in any event (title, priority, assignees…) is taken only when the event
///   is newer than `lastEventAt`, so a late `acknowledged` still moves the status without putting
///   back an older assignee list.
///
/// Order is triggered < acknowledged < resolved. Only a *newer* `unacknowledged` moves acknowledged
/// back to triggered; resolved is final except for a newer `reopened` (or `triggered`).
package struct IncidentState: Sendable, Equatable, Codable {
    package var status: IncidentStatus
    /// `occurred_at` of the status event that was applied last.
    package var statusAt: Date
    /// `occurred_at` of the newest event whose snapshot was applied.
    package var lastEventAt: Date

    package init(status: IncidentStatus, statusAt: Date, lastEventAt: Date? = nil) {
        self.status = status
        self.statusAt = statusAt
        self.lastEventAt = lastEventAt ?? statusAt
    }

    /// The outcome of ``deciding(_:at:)``: the state to store and what the message should take from the event.
    package struct Decision: Sendable, Equatable {
        package var state: IncidentState
        /// The status line changes (e.g. "Acknowledged by …").
        package var statusChanged: Bool
        /// The event's incident snapshot is the newest seen: refresh title, priority, assignees from it.
        package var takeSnapshot: Bool
        /// Nothing to store: the event is stale or a repeat (the endpoint still answers 2xx).
        package var ignored: Bool
    }

    /// State for the first event seen of an incident; nil for events that are not about an incident's life.
    package static func initial(for type: WebhookEvent.EventType, at date: Date, snapshotStatus: IncidentStatus?) -> IncidentState? {
        switch type {
        case .ping, .other: return nil
        default:
            guard let status = target(of: type) ?? snapshotStatus else { return nil }
            return IncidentState(status: status, statusAt: date)
        }
    }

    /// The status a status event asks for; nil for events that only carry details.
    package static func target(of type: WebhookEvent.EventType) -> IncidentStatus? {
        switch type {
        case .triggered, .reopened, .unacknowledged: .triggered
        case .acknowledged: .acknowledged
        case .resolved: .resolved
        case .escalated, .reassigned, .priorityUpdated, .annotated, .ping, .other: nil
        }
    }

    /// Pure: how an event of `type` that occurred at `date` changes this state.
    package func deciding(_ type: WebhookEvent.EventType, at date: Date) -> Decision {
        var next = self
        var statusChanged = false
        if let wanted = Self.target(of: type), acceptsStatus(wanted, of: type, at: date) {
            statusChanged = wanted != status
            next.status = wanted
            next.statusAt = date
        }
        let takeSnapshot = date > lastEventAt
        if takeSnapshot { next.lastEventAt = date }
        return Decision(state: next, statusChanged: statusChanged, takeSnapshot: takeSnapshot, ignored: next == self)
    }

    private func acceptsStatus(_ wanted: IncidentStatus, of type: WebhookEvent.EventType, at date: Date) -> Bool {
        // Older than what we applied: never. Same instant: only forward (ties say nothing about order).
        if date < statusAt { return false }
        if date == statusAt { return wanted > status }
        switch (status, type) {
        case (.resolved, .triggered), (.resolved, .reopened): return true   // reopened
        case (.resolved, _): return wanted == .resolved                   // resolved is final
        case (.acknowledged, .unacknowledged): return true                // ack timed out / undone
        case (.acknowledged, .triggered), (.acknowledged, .reopened): return false
        // Forward, or a newer confirmation of the same status (e.g. `unacknowledged` while triggered),
        // which moves `statusAt` so that an older event arriving later cannot undo it.
        default: return wanted >= status
        }
    }
}
