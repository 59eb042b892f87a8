import Actions
import BotCore
import Foundation
import HTTPDriver
import Logging
import PagerDuty
import Slack
import Store

/// Everything PagerDuty in the core: webhook deliveries → incident messages, the Acknowledge/Resolve buttons, the
/// `pagerduty.*` actions of plugin commands, and the durable escalation and report reminders.
package struct PagerDutyIntegration: Sendable {
    let desk: PagerDutyDesk
    let tracker: IncidentTracker
    let policy: PermissionPolicy
    let poster: SlackPoster
    let logger: Logger

    package init(
        rest: PagerDutyREST?, events: PagerDutyEvents?, settings: IncidentSettings, policy: PermissionPolicy, store: any BotStore,
        poster: SlackPoster, logger: Logger, now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    ) {
        self.desk = PagerDutyDesk(rest: rest, events: events, identities: policy.identities, settings: settings, store: store, now: now)
        self.tracker = IncidentTracker(settings: settings, store: store, poster: poster, locks: IncidentLocks(), logger: logger)
        self.policy = policy
        self.poster = poster
        self.logger = logger
    }

    /// From the settings (`PAGERDUTY_API_TOKEN`, `PAGERDUTY_API_URL`, `PAGERDUTY_ROUTING_KEY`, `PAGERDUTY_EVENTS_URL`,
    /// `PAGERDUTY_SLACK_CHANNEL`); a client whose credential is missing stays nil and its commands say so.
    package static func configured(
        settings: [String: String], http: HTTPClient, incidents: IncidentSettings, policy: PermissionPolicy, store: any BotStore,
        poster: SlackPoster, logger: Logger, retry: RetryPolicy = RetryPolicy(),
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    ) -> PagerDutyIntegration {
        func value(_ key: String) -> String? { settings[key].flatMap { $0.isEmpty ? nil : $0 } }
        let rest = value("PAGERDUTY_API_TOKEN").map {
            PagerDutyREST(http: http, baseURL: value("PAGERDUTY_API_URL") ?? "https://api.pagerduty.com", token: $0, retry: retry)
        }
        let events = value("PAGERDUTY_ROUTING_KEY").map {
            PagerDutyEvents(http: http, baseURL: value("PAGERDUTY_EVENTS_URL") ?? "https://events.pagerduty.com", routingKey: $0, retry: retry)
        }
        return PagerDutyIntegration(rest: rest, events: events, settings: incidents, policy: policy, store: store, poster: poster, logger: logger, now: now)
    }

    /// The `pagerduty.*` actions (names in `PagerDutyActionNames`).
    package var actions: [any Action] {
        [PagerDutyList(desk: desk), PagerDutyUpdate(desk: desk, status: .acknowledged), PagerDutyUpdate(desk: desk, status: .resolved),
         PagerDutyDeclare(desk: desk), PagerDutyReport(desk: desk)]
    }

    var timerHandlers: [any TimerHandler] {
        [EscalationReminderHandler(settings: desk.settings, store: desk.store, poster: poster, logger: logger, now: desk.now),
         ReportReminderHandler(settings: desk.settings, store: desk.store, poster: poster, logger: logger)]
    }

    /// A stored `pagerduty.webhook` delivery.
    func process(_ delivery: StoredDelivery) async {
        await tracker.process(delivery)
    }

    /// PagerDuty ids are short alphanumerics (`PABC123`); anything else in a button value is not acted on.
    static func isIncidentID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 40 && id.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }

    static func handles(_ actionID: String) -> Bool {
        actionID == IncidentMessage.acknowledgeActionID || actionID == IncidentMessage.resolveActionID
    }

    /// A click on Acknowledge or Resolve: the same permission as `pd ack` / `pd resolve`, then PUT as the clicker.
    /// Refusals and PagerDuty's errors go only to the clicker; success is said in the incident's thread.
    func click(_ payload: BlockActionsPayload, requester: Requester) async {
        guard let action = payload.actions.first else { return }
        let user = payload.user.id
        let channel = payload.channelID ?? ""
        let acknowledge = action.actionID == IncidentMessage.acknowledgeActionID
        let path = acknowledge ? "pd ack" : "pd resolve"
        func tell(_ text: String) async { await poster.tellOnly(text, user: user, channel: channel, responseURL: payload.responseURL) }
        guard let id = action.value, Self.isIncidentID(id) else {
            await tell("That button does not name a PagerDuty incident; nothing was done.")
            return
        }
        if case .deny(let reason) = policy.decide(requester, path: path, channel: channel) {
            await desk.audit(user: user, channel: channel, command: action.actionID, outcome: "denied", incident: id, error: reason)
            await tell(reason)
            return
        }
        guard desk.identities[user] != nil else {
            await desk.audit(user: user, channel: channel, command: action.actionID, outcome: "no_identity", incident: id)
            await tell(PagerDutyDesk.noIdentity(user))
            return
        }
        do {
            let incident = try await desk.update(id, to: acknowledge ? .acknowledged : .resolved, user: user, channel: channel, command: action.actionID)
            let verb = acknowledge ? "acknowledged" : "resolved"
            let text = "\(acknowledge ? "🟡" : "✅") <@\(user)> \(verb) #\(incident.number) in PagerDuty "
                + "(PUT /incidents/\(incident.id), status \(incident.status)). The message updates when PagerDuty confirms."
            let stored = try? await desk.store.incident(id: id).flatMap(IncidentRecord.init)
            if let stored, stored.messageTS != nil, poster.web != nil {
                await poster.reply(.inChannel(text), channel: stored.messageChannel, threadTS: stored.messageTS, responseURL: nil)
            } else {
                var message = SlackMessage.inChannel(text)
                message.replaceOriginal = false
                await poster.reply(message, channel: nil, threadTS: nil, responseURL: payload.responseURL)
            }
        } catch {
            await tell("Could not update PagerDuty incident `\(id)`: " + error.message)
        }
    }
}
