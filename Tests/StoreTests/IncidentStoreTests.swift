import Foundation
import Store
import Testing

@Suite("Incidents table")
struct IncidentStoreTests {
    @Test func updateDecidesOnTheStoredRowAndKeepsTheMessage() async throws {
        try await withStore { store, _ in
            #expect(try await store.incident(id: "P1") == nil)
            let first = try await store.updateIncident(id: "P1") { old in
                #expect(old == nil)
                return StoredIncident(id: "ignored", state: "triggered", lastEventAt: "2025-01-15T09:00:00Z", incident: "{}", triggeredAt: "2025-01-15T09:00:00Z")
            }
            #expect(first?.id == "P1")
            try await store.setIncidentMessage(id: "P1", channel: "C1", ts: "1700000000.1")
            // Returning nil leaves the row as it is.
            let same = try await store.updateIncident(id: "P1") { _ in nil }
            #expect(same?.messageTS == "1700000000.1" && same?.state == "triggered")
            try await store.updateIncident(id: "P1") { old in
                guard var row = old else { return nil }
                row.state = "resolved"
                row.resolvedAt = "2025-01-15T10:00:00Z"
                return row
            }
            try await store.markIncidentReported(id: "P1")
            let stored = try #require(try await store.incident(id: "P1"))
            #expect(stored.state == "resolved" && stored.messageChannel == "C1" && stored.messageTS == "1700000000.1")
            #expect(stored.resolvedAt == "2025-01-15T10:00:00Z" && stored.reportAt != nil)
            #expect(try await store.incidents().map(\.id) == ["P1"])
        }
    }
}
