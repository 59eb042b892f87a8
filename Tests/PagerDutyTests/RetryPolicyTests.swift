import HTTPDriver
import Testing
@testable import PagerDuty

@Suite struct RetryPolicyTests {
    static func response(_ headers: [(String, String)]) -> HTTPResponse {
        HTTPResponse(status: 429, headers: headers, body: [], elapsed: .zero)
    }

    @Test(arguments: [
        ([("retry-after", "2")], Duration.seconds(2)),
        ([("retry-after", " 0.5 ")], .milliseconds(500)),
        ([("ratelimit-reset", "4")], .seconds(4)),
        ([("retry-after", "3"), ("ratelimit-reset", "9")], .seconds(3)),
        ([("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")], .milliseconds(1500)),
        ([("retry-after", "-1")], .milliseconds(1500)),
        ([("retry-after", "nan")], .milliseconds(1500)),
        ([("retry-after", "86400")], .seconds(10)),
        ([], .milliseconds(1500)),
    ] as [([(String, String)], Duration)])
    func delayHonoursHeadersWithinTheCap(_ headers: [(String, String)], expected: Duration) {
        #expect(RetryPolicy().delay(after: Self.response(headers)) == expected)
    }

    @Test func retriesOnlyOn429AndStopsAtTheLimit() async throws {
        let sleeps = SleepRecorder()
        let policy = RetryPolicy(maxRetries: 2, sleep: { await sleeps.record($0) })
        let counter = SleepRecorder()  // counts attempts as zero-length "waits"
        let (last, retries) = try await policy.run {
            await counter.record(.zero)
            return Self.response([("retry-after", "1")])
        }
        #expect(last.status == 429)
        #expect(retries == 2)
        let attempts = await counter.waits.count
        let waits = await sleeps.waits
        #expect(attempts == 3)
        #expect(waits == [.seconds(1), .seconds(1)])

        let (ok, none) = try await policy.run { HTTPResponse(status: 503, headers: [], body: [], elapsed: .zero) }
        #expect(ok.status == 503)
        #expect(none == 0)
    }
}
