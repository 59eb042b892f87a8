import BotCore
import Foundation
import PagerDuty
import Store

/// The bot's knowledge of one incident, decoded from its `incidents` row: the ordered state, the newest snapshot
/// and the events seen. Dates are stored as seconds since 1970 (exact), so ordering survives a round trip.
struct IncidentRecord: Sendable, Equatable {
    struct Seen: Sendable, Equatable, Codable {
        var id: String
        var type: String
        var at: Date
        var agent: String?
    }

    struct StateColumn: Sendable, Equatable, Codable {
        var state: IncidentState
        /// Who caused the current status (e.g. "Alice"), shown on the message.
        var agent: String?
    }

    var state: IncidentState
    var agent: String?
    var incident: Incident
    var events: [Seen]
    var messageChannel: String?
    var messageTS: String?
    var triggeredAt: Date?
    var acknowledgedAt: Date?
    var resolvedAt: Date?
    var reportAt: String?

    var activities: [IncidentActivity] {
        events.map { IncidentActivity(type: WebhookEvent.EventType(wireName: $0.type), at: $0.at, agent: $0.agent) }
    }

    init(
        state: IncidentState, agent: String?, incident: Incident, events: [Seen], messageChannel: String? = nil,
        messageTS: String? = nil, triggeredAt: Date? = nil, acknowledgedAt: Date? = nil, resolvedAt: Date? = nil, reportAt: String? = nil
    ) {
        self.state = state
        self.agent = agent
        self.incident = incident
        self.events = events
        self.messageChannel = messageChannel
        self.messageTS = messageTS
        self.triggeredAt = triggeredAt
        self.acknowledgedAt = acknowledgedAt
        self.resolvedAt = resolvedAt
        self.reportAt = reportAt
    }

    init?(_ row: StoredIncident) {
        let decoder = Self.decoder
        guard let column = try? decoder.decode(StateColumn.self, from: Data(row.state.utf8)),
              let incident = try? decoder.decode(Incident.self, from: Data(row.incident.utf8)),
              let events = try? decoder.decode([Seen].self, from: Data(row.events.utf8))
        else { return nil }
        self.init(
            state: column.state, agent: column.agent, incident: incident, events: events, messageChannel: row.messageChannel,
            messageTS: row.messageTS, triggeredAt: row.triggeredAt.flatMap(RFC3339.parse),
            acknowledgedAt: row.acknowledgedAt.flatMap(RFC3339.parse), resolvedAt: row.resolvedAt.flatMap(RFC3339.parse),
            reportAt: row.reportAt)
    }

    func row(id: String) -> StoredIncident {
        let encoder = Self.encoder
        func json(_ value: some Encodable) -> String {
            (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        }
        return StoredIncident(
            id: id, state: json(StateColumn(state: state, agent: agent)), lastEventAt: RFC3339.format(state.lastEventAt),
            incident: json(incident), messageChannel: messageChannel, messageTS: messageTS,
            triggeredAt: triggeredAt.map(RFC3339.format), acknowledgedAt: acknowledgedAt.map(RFC3339.format),
            resolvedAt: resolvedAt.map(RFC3339.format), reportAt: reportAt, events: json(events))
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }
}

/// What applying one webhook event to the stored record came to (pure; see ``IncidentRecord/applying(_:to:)``).
struct IncidentChange: Sendable, Equatable {
    var record: IncidentRecord
    var statusChanged: Bool
    /// The Slack message should be redrawn (status, snapshot, or an escalation/reassignment).
    var redraw: Bool
    /// Stale or repeated: nothing stored.
    var ignored: Bool
}

extension IncidentRecord {
    /// Applies `event` to `old` (nil: first event of this incident). Nil when the event cannot start a record
    /// (e.g. a note about an incident the bot never saw).
    static func applying(_ event: WebhookEvent, to old: IncidentRecord?) -> IncidentChange? {
        let seen = Seen(id: event.id, type: event.type.wireName, at: event.occurredDate, agent: event.agent)
        guard var record = old else {
            guard let snapshot = event.incident,
                  let state = IncidentState.initial(for: event.type, at: event.occurredDate, snapshotStatus: snapshot.knownStatus)
            else { return nil }
            var fresh = IncidentRecord(state: state, agent: event.agent, incident: snapshot, events: [seen])
            fresh.triggeredAt = snapshot.createdAt.flatMap(RFC3339.parse) ?? event.occurredDate
            fresh.stamp(state.status, at: event.occurredDate)
            return IncidentChange(record: fresh, statusChanged: true, redraw: true, ignored: false)
        }
        if record.events.contains(where: { $0.id == event.id }) {
            return IncidentChange(record: record, statusChanged: false, redraw: false, ignored: true)
        }
        let decision = record.state.deciding(event.type, at: event.occurredDate)
        // Every event goes into the timeline, also a late one; only newer ones change what the message shows.
        record.events.append(seen)
        record.events.sort { $0.at < $1.at }
        record.state = decision.state
        if decision.statusChanged {
            record.agent = event.agent
            record.stamp(decision.state.status, at: event.occurredDate)
        }
        if decision.takeSnapshot, let snapshot = event.incident {
            record.incident = snapshot
        }
        let detailEvent = [.escalated, .reassigned, .priorityUpdated].contains(event.type) && decision.takeSnapshot
        return IncidentChange(
            record: record, statusChanged: decision.statusChanged, redraw: decision.statusChanged || detailEvent || (decision.takeSnapshot && event.incident != nil),
            ignored: false)
    }

    private mutating func stamp(_ status: IncidentStatus, at date: Date) {
        switch status {
        case .triggered:
            resolvedAt = nil
            acknowledgedAt = nil
        case .acknowledged:
            if acknowledgedAt == nil { acknowledgedAt = date }
        case .resolved:
            resolvedAt = date
        }
    }
}
