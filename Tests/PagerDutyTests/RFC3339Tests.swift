import BotCore
import Foundation
import Testing
@testable import PagerDuty

@Suite struct RFC3339Tests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0.0),
        ("2024-05-01T12:00:00Z", 1_714_564_800),
        ("2024-05-01T12:00:00.5Z", 1_714_564_800.5),
        ("2024-05-01T14:00:00+02:00", 1_714_564_800),
        ("2024-05-01T07:30:00-04:30", 1_714_564_800),
        ("2024-02-29T00:00:00z", 1_709_164_800),
        ("1999-12-31T23:59:59Z", 946_684_799),
    ] as [(String, Double)])
    func parsesUTCAndOffsets(_ text: String, epoch: Double) throws {
        let date = try #require(RFC3339.parse(text))
        #expect(abs(date.timeIntervalSince1970 - epoch) < 0.0005)
    }

    @Test(arguments: ["", "2024-05-01", "2024-05-01T12:00:00", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
                      "2024-05-01T24:00:00Z", "2024-05-01T12:00:00.Z", "2024-05-01T12:00:00Zjunk", "2024-05-01T12:00:00+0200"])
    func rejectsMalformed(_ text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test func formatsUTC() {
        let date = Date(timeIntervalSince1970: 1_714_564_800 + 3 * 3600 + 4 * 60 + 5.9)
        #expect(RFC3339.format(date) == "2024-05-01T15:04:05Z")
        #expect(RFC3339.human(date) == "2024-05-01 15:04:05 UTC")
        #expect(RFC3339.clock(date) == "15:04:05")
        #expect(RFC3339.format(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
    }

    @Test(arguments: [(0.0, "0 s"), (59.9, "59 s"), (60, "1 min"), (12 * 60 + 30, "12 min"), (3600, "1 h"),
                      (3900, "1 h 5 min"), (86_400, "1 d"), (86_400 + 7200, "1 d 2 h"), (-5, "0 s")] as [(Double, String)])
    func elapsedText(_ seconds: Double, text: String) {
        #expect(ElapsedText.format(seconds: seconds) == text)
    }
}
