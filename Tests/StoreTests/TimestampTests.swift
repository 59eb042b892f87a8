import Foundation
import Store
import Testing

@Suite("Timestamp agrees with Foundation")
struct TimestampAgreementTests {
    /// The hand-rolled formatter must agree with Foundation's on every date we can meet (and then some).
    @Test func agreesWithFoundationsFormatter() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var rng = SystemRandomNumberGenerator()
        var dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 951_782_400.999),  // 2000-02-29
                     Date(timeIntervalSince1970: 4_102_444_799.5), Date(timeIntervalSince1970: 1_798_761_599.123)]
        for _ in 0..<10_000 {
            let ms = Int64.random(in: 0...4_102_444_800_000, using: &rng)  // 1970 … 2100
            dates.append(Date(timeIntervalSince1970: Double(ms) / 1000))
        }
        for date in dates {
            #expect(Timestamp.rfc3339(date) == formatter.string(from: date), "\(date.timeIntervalSince1970)")
        }
    }
}
