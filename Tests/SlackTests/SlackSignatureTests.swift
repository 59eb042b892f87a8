import Foundation
import Slack
import Testing

/// Slack's documented example (api.slack.com/authentication/verifying-requests-from-slack).
enum SlackVector {
    static let secret = "8f742231b10e8888abcd99yyyzzz85a5"
    static let timestamp = "1531420618"
    static let ts: Int64 = 1_531_420_618
    static let body =
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    static let signature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    static var bodyBytes: [UInt8] { Array(body.utf8) }
}

@Suite("Slack request signing")
struct SlackSignatureTests {
    let signer = SlackSignature(secret: SlackVector.secret)

    @Test("computes Slack's documented test vector")
    func documentedVector() {
        #expect(signer.signature(timestamp: SlackVector.timestamp, body: SlackVector.bodyBytes) == SlackVector.signature)
    }

    @Test("a different secret signs differently")
    func otherSecretDiffers() {
        let other = SlackSignature(secret: SlackVector.secret + "x")
        #expect(other.signature(timestamp: SlackVector.timestamp, body: SlackVector.bodyBytes) != SlackVector.signature)
    }

    @Test("accepts the vector within the replay window", arguments: [
        SlackVector.ts, SlackVector.ts + 300, SlackVector.ts - 300, SlackVector.ts + 1, SlackVector.ts - 1,
    ])
    func acceptsWithinWindow(now: Int64) throws {
        let result = signer.verify(
            timestamp: SlackVector.timestamp, signature: SlackVector.signature, body: SlackVector.bodyBytes, now: now)
        try result.get()
    }

    struct Rejection: Sendable, CustomTestStringConvertible {
        let name: String
        var secret: String = SlackVector.secret
        var timestamp: String? = SlackVector.timestamp
        var signature: String? = SlackVector.signature
        var body: [UInt8] = SlackVector.bodyBytes
        var now: Int64 = SlackVector.ts
        let expected: SlackSignature.Failure

        var testDescription: String { name }
    }

    static let rejections: [Rejection] = {
        var oneByteChanged = SlackVector.bodyBytes
        oneByteChanged[oneByteChanged.count / 2] ^= 0x01
        var firstByteChanged = SlackVector.bodyBytes
        firstByteChanged[0] = UInt8(ascii: "T")
        let sig = SlackVector.signature
        return [
            Rejection(name: "wrong secret", secret: "8f742231b10e8888abcd99yyyzzz85a6", expected: .mismatch),
            Rejection(name: "stale (ts - 301)", now: SlackVector.ts + 301, expected: .stale(skewSeconds: 301)),
            Rejection(name: "future (ts + 301)", now: SlackVector.ts - 301, expected: .stale(skewSeconds: -301)),
            Rejection(name: "far in the past", now: SlackVector.ts + 86_400, expected: .stale(skewSeconds: 86_400)),
            Rejection(name: "missing timestamp", timestamp: nil, expected: .missingHeaders),
            Rejection(name: "missing signature", signature: nil, expected: .missingHeaders),
            Rejection(name: "both missing", timestamp: nil, signature: nil, expected: .missingHeaders),
            Rejection(name: "empty timestamp", timestamp: "", expected: .missingHeaders),
            Rejection(name: "empty signature", signature: "", expected: .missingHeaders),
            Rejection(name: "non-numeric timestamp", timestamp: "15314206l8", expected: .malformedTimestamp),
            Rejection(name: "word timestamp", timestamp: "yesterday", expected: .malformedTimestamp),
            Rejection(name: "decimal timestamp", timestamp: "1531420618.5", expected: .malformedTimestamp),
            Rejection(name: "timestamp with spaces", timestamp: " 1531420618", expected: .malformedTimestamp),
            Rejection(name: "absurdly long timestamp", timestamp: String(repeating: "1", count: 400), expected: .malformedTimestamp),
            Rejection(name: "zero-padded overlong timestamp", timestamp: "000000000001531420618", expected: .malformedTimestamp),
            Rejection(name: "tampered body (one bit)", body: oneByteChanged, expected: .mismatch),
            Rejection(name: "tampered body (first byte)", body: firstByteChanged, expected: .mismatch),
            Rejection(name: "appended byte", body: SlackVector.bodyBytes + [UInt8(ascii: "&")], expected: .mismatch),
            Rejection(name: "dropped last byte", body: Array(SlackVector.bodyBytes.dropLast()), expected: .mismatch),
            Rejection(name: "empty body", body: [], expected: .mismatch),
            Rejection(name: "uppercase hex", signature: "v0=" + sig.dropFirst(3).uppercased(), expected: .mismatch),
            Rejection(name: "uppercase prefix", signature: "V0=" + sig.dropFirst(3), expected: .mismatch),
            Rejection(name: "no v0= prefix", signature: String(sig.dropFirst(3)), expected: .mismatch),
            Rejection(name: "other version prefix", signature: "v1=" + sig.dropFirst(3), expected: .mismatch),
            Rejection(name: "truncated signature", signature: String(sig.dropLast()), expected: .mismatch),
            Rejection(name: "half a signature", signature: String(sig.prefix(35)), expected: .mismatch),
            Rejection(name: "signature with trailing space", signature: sig + " ", expected: .mismatch),
            Rejection(name: "signature of another timestamp", timestamp: "1531420619", now: SlackVector.ts, expected: .mismatch),
        ]
    }()

    @Test("rejects", arguments: rejections)
    func rejects(_ c: Rejection) {
        let result = SlackSignature(secret: c.secret).verify(timestamp: c.timestamp, signature: c.signature, body: c.body, now: c.now)
        switch result {
        case .success: Issue.record("\(c.name): verified, expected \(c.expected)")
        case .failure(let failure): #expect(failure == c.expected, "\(c.name)")
        }
    }

    @Test("the window is five minutes")
    func windowIsFiveMinutes() {
        #expect(SlackSignature.window == 300)
    }

    @Test("a request signed now with its own timestamp verifies")
    func freshRoundTrip() throws {
        let s = SlackSignature(secret: "some-other-secret-value")
        let body = Array("text=scale%20api%203&user_id=U123".utf8)
        let sig = s.signature(timestamp: "1700000000", body: body)
        #expect(sig.hasPrefix("v0="))
        #expect(sig.utf8.count == 3 + 64)
        #expect(sig.dropFirst(3).allSatisfy { "0123456789abcdef".contains($0) })
        try s.verify(timestamp: "1700000000", signature: sig, body: body, now: 1_700_000_100).get()
        #expect(throws: SlackSignature.Failure.mismatch) {
            try SlackSignature(secret: SlackVector.secret).verify(timestamp: "1700000000", signature: sig, body: body, now: 1_700_000_000).get()
        }
    }

    @Test("failures describe themselves without echoing input")
    func failureDescriptions() {
        #expect(SlackSignature.Failure.stale(skewSeconds: 301).description.contains("301"))
        #expect(SlackSignature.Failure.missingHeaders.description.contains("X-Slack-Signature"))
        #expect(SlackSignature.Failure.malformedTimestamp.description.contains("X-Slack-Request-Timestamp"))
    }
}

@Suite("constantTimeEquals")
struct ConstantTimeEqualsTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let a: [UInt8]
        let b: [UInt8]
        let equal: Bool
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "both empty", a: [], b: [], equal: true),
        Case(name: "equal", a: Array("v0=abc123".utf8), b: Array("v0=abc123".utf8), equal: true),
        Case(name: "empty vs non-empty", a: [], b: [0], equal: false),
        Case(name: "prefix (shorter)", a: Array("v0=abc".utf8), b: Array("v0=abc1".utf8), equal: false),
        Case(name: "prefix (longer)", a: Array("v0=abc1".utf8), b: Array("v0=abc".utf8), equal: false),
        Case(name: "one bit in the first byte", a: [0b0000_0001, 2, 3], b: [0b0000_0000, 2, 3], equal: false),
        Case(name: "one bit in the last byte", a: [1, 2, 0b1000_0000], b: [1, 2, 0], equal: false),
        Case(name: "high bit in the middle", a: [7, 0x80 | 9, 7], b: [7, 9, 7], equal: false),
        Case(name: "same bytes, other order", a: [1, 2], b: [2, 1], equal: false),
        Case(name: "all bytes 0xff", a: [UInt8](repeating: 0xff, count: 64), b: [UInt8](repeating: 0xff, count: 64), equal: true),
    ]

    @Test(arguments: cases)
    func compares(_ c: Case) {
        #expect(SlackSignature.constantTimeEquals(c.a, c.b) == c.equal)
        #expect(SlackSignature.constantTimeEquals(c.b, c.a) == c.equal, "must be symmetric")
    }

    @Test("every single-bit flip of a 32-byte value is detected")
    func everyBitFlip() {
        let base = (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for index in base.indices {
            for bit in 0..<8 {
                var flipped = base
                flipped[index] ^= UInt8(1) << UInt8(bit)
                #expect(!SlackSignature.constantTimeEquals(base, flipped), "byte \(index) bit \(bit)")
            }
        }
        #expect(SlackSignature.constantTimeEquals(base, base))
    }
}
