import Actions
import BotCore
import Foundation
import PagerDuty
import Slack
import Store

/// What every PagerDuty action shares: the clients (nil when not configured), who is who, and the audit.
struct PagerDutyDesk: Sendable {
    let rest: PagerDutyREST?
    let events: PagerDutyEvents?
    let identities: [String: String]
    let settings: IncidentSettings
    let store: any BotStore
    let now: @Sendable () -> Int64

    static func noIdentity(_ user: String) -> String {
        "You have no PagerDuty identity, so nothing was done: the bot acts in PagerDuty only as a mapped user. "
            + "Ask an admin to add `\(user): you@example.com` (your PagerDuty login email) under `identities:` in permissions.yaml."
    }

    func email(for user: String) throws(ActionFailure) -> String {
        guard let email = identities[user] else { throw ActionFailure(dependency: "PagerDuty", message: Self.noIdentity(user)) }
        return email
    }

    func client() throws(ActionFailure) -> PagerDutyREST {
        guard let rest else { throw ActionFailure(dependency: "PagerDuty", message: "the REST API is not configured (set PAGERDUTY_API_TOKEN)") }
        return rest
    }

    /// Acknowledge or resolve as `user` (the From header is their identity); audited as `pagerduty`.
    func update(_ reference: String?, to status: PagerDutyREST.Update, user: String, channel: String, command: String) async throws(ActionFailure) -> Incident {
        let email = try email(for: user)
        let rest = try client()
        var id = reference ?? ""
        do {
            if reference == nil || reference?.first == "#" || Int(reference ?? "") != nil {
                let open = try await rest.listOpenIncidents()
                switch IncidentSelection.pick(reference, open: open, forAcknowledge: status == .acknowledged) {
                case .success(let picked): id = picked
                case .failure(let failure): throw ActionFailure(dependency: "PagerDuty", message: failure.description)
                }
            }
            let incident = try await rest.update(id: id, status: status, from: email)
            await audit(user: user, channel: channel, command: command, outcome: status.rawValue, incident: incident.id)
            return incident
        } catch let error as ActionFailure {
            throw error
        } catch {
            let message = (error as? PagerDutyError)?.description ?? "failed unexpectedly"
            await audit(user: user, channel: channel, command: command, outcome: "error", incident: id, error: message)
            throw ActionFailure(dependency: "PagerDuty", message: message)
        }
    }

    func audit(user: String?, channel: String?, command: String, outcome: String, incident: String?, error: String? = nil, extra: [String: JSONValue] = [:]) async {
        var detail = extra
        if let incident, !incident.isEmpty { detail["incident_id"] = .string(incident) }
        if let error { detail["error"] = .string(error) }
        _ = try? await store.append(AuditEntry(kind: "pagerduty", user: user, channel: channel, command: command, outcome: outcome, detail: detail))
    }
}

/// `pd list`: open incidents from the REST API.
struct PagerDutyList: Action {
    let desk: PagerDutyDesk
    var name: String { PagerDutyActionNames.list }
    var readOnly: Bool { true }

    func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let rest = try desk.client()
        do {
            let open = try await rest.listOpenIncidents()
            return ActionOutput(summary: IncidentMessage.list(open), facts: ["open": String(open.count)])
        } catch {
            throw ActionFailure(dependency: "PagerDuty", message: error.description)
        }
    }
}

/// `pd ack [incident]` / `pd resolve [incident]`: PUT /incidents/{id} as the requester (From: their identity).
struct PagerDutyUpdate: Action {
    let desk: PagerDutyDesk
    let status: PagerDutyREST.Update
    var name: String { status == .acknowledged ? PagerDutyActionNames.acknowledge : PagerDutyActionNames.resolve }
    var readOnly: Bool { false }

    func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let reference = parameters["incident"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let incident = try await desk.update(reference, to: status, user: context.userID, channel: context.channelID, command: context.command)
        let verb = status == .acknowledged ? "Acknowledged" : "Resolved"
        return ActionOutput(
            summary: "\(verb) PagerDuty incident #\(incident.number) \(SlackText.escaped(incident.title)) (`\(incident.id)`) as <@\(context.userID)>.",
            facts: ["incident_id": incident.id, "status": incident.status])
    }
}

/// `emergency declare {summary...}`: an Events API v2 trigger (critical); the incident then arrives by webhook.
struct PagerDutyDeclare: Action {
    let desk: PagerDutyDesk
    var name: String { PagerDutyActionNames.declare }
    var readOnly: Bool { false }

    func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let summary = try parameters.requiredString("summary", for: name)
        guard let events = desk.events else {
            throw ActionFailure(dependency: "PagerDuty", message: "the Events API is not configured (set PAGERDUTY_ROUTING_KEY)")
        }
        let at = Date(timeIntervalSince1970: Double(desk.now()) / 1000)
        do {
            let dedupKey = try await events.trigger(
                summary: summary, source: "hybridbot", severity: .critical, timestamp: at,
                customDetails: ["declared_by": context.userID, "channel": context.channelID])
            await desk.audit(user: context.userID, channel: context.channelID, command: context.command, outcome: "declared", incident: nil,
                             extra: ["dedup_key": .string(dedupKey), "severity": "critical"])
            let whereShown = desk.settings.channel.map { " It will be posted in <#\($0)> when PagerDuty opens it." } ?? ""
            return ActionOutput(
                summary: "🚨 Emergency declared in PagerDuty (critical): \(SlackText.escaped(summary)) — dedup key `\(dedupKey)`.\(whereShown)",
                facts: ["dedup_key": dedupKey])
        } catch {
            let message = error.description
            await desk.audit(user: context.userID, channel: context.channelID, command: context.command, outcome: "error", incident: nil, error: message)
            throw ActionFailure(dependency: "PagerDuty", message: message)
        }
    }
}

/// `incident report {incident}`: the post-incident draft (Markdown) from the audit and PagerDuty's events.
struct PagerDutyReport: Action {
    let desk: PagerDutyDesk
    var name: String { PagerDutyActionNames.report }
    var readOnly: Bool { false }

    func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let reference = try parameters.requiredString("incident", for: name)
        let at = Date(timeIntervalSince1970: Double(desk.now()) / 1000)
        let report: (id: String, markdown: String)
        do {
            report = try await IncidentReport.markdown(for: reference, store: desk.store, channel: desk.settings.channel, now: at)
        } catch let failure as IncidentReport.Failure {
            throw ActionFailure(dependency: "incident report", message: failure.description)
        } catch {
            throw ActionFailure(dependency: "incident report", message: "the audit could not be read")
        }
        try? await desk.store.markIncidentReported(id: report.id)
        await desk.audit(user: context.userID, channel: context.channelID, command: context.command, outcome: "report", incident: report.id)
        return ActionOutput(summary: "Post-incident draft for `\(report.id)` (also: `hybridbot audit export --incident \(report.id)`):",
                            facts: ["incident_id": report.id], details: [.text("```\n" + report.markdown + "```")])
    }
}
