import Foundation

/// Which incident `pd ack [id]` / `pd resolve [id]` means: an id (`PGR0VU2`), a number (`#2` or `2`),
/// or nothing when exactly one open incident fits the action.
package enum IncidentSelection {
    package enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case noneOpen
        case ambiguous([String])
        case unknown(String)

        package var description: String {
            switch self {
            case .noneOpen: "There is no open PagerDuty incident."
            case .ambiguous(let choices): "Several open incidents; say which: " + choices.joined(separator: ", ")
            case .unknown(let reference): "No open incident \(reference.prefix(40)); `pd list` shows them."
            }
        }
    }

    /// `open` is what `listOpenIncidents()` returned. Without a reference, an `acknowledge` only
    /// considers triggered incidents (acknowledged ones need no ack).
    package static func pick(_ reference: String?, open: [Incident], forAcknowledge: Bool) -> Result<String, Failure> {
        let trimmed = reference?.trimmingWhitespace() ?? ""
        guard !trimmed.isEmpty else {
            let candidates = forAcknowledge ? open.filter { $0.knownStatus == .triggered } : open
            switch candidates.count {
            case 0: return .failure(.noneOpen)
            case 1: return .success(candidates[0].id)
            default: return .failure(.ambiguous(candidates.map { "#\($0.number) (`\($0.id)`)" }))
            }
        }
        let digits = trimmed.hasPrefix("#") ? String(trimmed.dropFirst()) : trimmed
        if let number = Int(digits), let match = open.first(where: { $0.number == number }) {
            return .success(match.id)
        }
        if let match = open.first(where: { $0.id.caseInsensitiveCompare(trimmed) == .orderedSame }) {
            return .success(match.id)
        }
        // Not in the open list (maybe already resolved): let PagerDuty answer for a plausible id.
        if !trimmed.hasPrefix("#"), Int(trimmed) == nil, (try? PagerDutyREST.incidentPath(trimmed)) != nil {
            return .success(trimmed)
        }
        return .failure(.unknown(trimmed))
    }
}
