import Testing
@testable import PagerDuty

@Suite struct IncidentSelectionTests {
    static let open = [
        Incident(id: "PGR0VU2", number: 2, title: "slow", status: "triggered"),
        Incident(id: "PQ3", number: 3, title: "db", status: "acknowledged"),
    ]

    @Test(arguments: [
        ("PGR0VU2", "PGR0VU2"), ("pgr0vu2", "PGR0VU2"), ("#3", "PQ3"), ("3", "PQ3"), (" #2 ", "PGR0VU2"),
        ("PRESOLVED1", "PRESOLVED1"),  // not open any more: PagerDuty will say "Already Resolved"
    ] as [(String, String)])
    func explicitReference(_ reference: String, id: String) {
        #expect(IncidentSelection.pick(reference, open: Self.open, forAcknowledge: false) == .success(id))
    }

    @Test func unknownNumberOrJunkIsRefused() {
        #expect(IncidentSelection.pick("#99", open: Self.open, forAcknowledge: false) == .failure(.unknown("#99")))
        #expect(IncidentSelection.pick("../x", open: Self.open, forAcknowledge: false) == .failure(.unknown("../x")))
    }

    @Test func omittedReferenceNeedsExactlyOneCandidate() {
        #expect(IncidentSelection.pick(nil, open: Self.open, forAcknowledge: true) == .success("PGR0VU2"))
        #expect(IncidentSelection.pick("", open: Self.open, forAcknowledge: false) == .failure(.ambiguous(["#2 (`PGR0VU2`)", "#3 (`PQ3`)"])))
        #expect(IncidentSelection.pick(nil, open: [], forAcknowledge: false) == .failure(.noneOpen))
        #expect(IncidentSelection.pick(nil, open: [Self.open[1]], forAcknowledge: true) == .failure(.noneOpen))
    }
}
