import Testing
@testable import PagerDuty

@Suite struct PagerDutySignatureTests {
    static let body = Array(#"{"event":{"id":"e1"}}"#.utf8)
    // Independently computed: python3 hmac.new(b"whsec-one", body, sha256).hexdigest()
    static let one = "v1=8ec51bb36ab4193d6c707314d35c0178ed40a492e0aac444efea6fd55215915c"
    static let two = "v1=4d2887670cac8501add811128fae54d84672f354568dbd4bbfcb064422b01379"

    @Test func signMatchesAnIndependentHMAC() {
        #expect(PagerDutySignature.sign(body: Self.body, secret: "whsec-one") == Self.one)
        #expect(PagerDutySignature.sign(body: Self.body, secret: "whsec-two") == Self.two)
    }

    @Test func goodSignatureIsAccepted() {
        #expect(PagerDutySignature.verify(body: Self.body, header: Self.one, secrets: ["whsec-one"]))
    }

    @Test func wrongSecretIsRejected() {
        #expect(!PagerDutySignature.verify(body: Self.body, header: Self.one, secrets: ["whsec-other"]))
    }

    @Test(arguments: [
        ("both values, first secret configured", "\(one),\(two)", ["whsec-one"]),
        ("both values, second secret configured", "\(one),\(two)", ["whsec-two"]),
        ("one value, second of two secrets", one, ["whsec-new", "whsec-one"]),
        ("whitespace around values", "  \(two) ,  \(one)  ", ["whsec-one"]),
        ("space after comma", "v1=\(String(repeating: "0", count: 64)), \(one)", ["whsec-one"]),
        ("uppercase hex", "v1=" + one.dropFirst(3).uppercased(), ["whsec-one"]),
        ("unknown scheme beside v1", "v0=abc, \(one)", ["whsec-one"]),
    ] as [(String, String, [String])])
    func rotationAndFormattingAreAccepted(_ label: String, header: String, secrets: [String]) {
        #expect(PagerDutySignature.verify(body: Self.body, header: header, secrets: secrets), "\(label)")
    }

    @Test(arguments: [
        ("missing header", nil as String?, ["whsec-one"]),
        ("empty header", "", ["whsec-one"]),
        ("no secrets", one, [String]()),
        ("only empty secrets", one, [""]),
        ("v1= without hex", "v1=", ["whsec-one"]),
        ("wrong scheme", "v0=" + one.dropFirst(3), ["whsec-one"]),
        ("truncated hex", String(one.dropLast()), ["whsec-one"]),
        ("other secret's signature", two, ["whsec-one"]),
        ("bare hex without v1=", String(one.dropFirst(3)), ["whsec-one"]),
    ] as [(String, String?, [String])])
    func badHeadersAreRejected(_ label: String, header: String?, secrets: [String]) {
        #expect(!PagerDutySignature.verify(body: Self.body, header: header, secrets: secrets), "\(label)")
    }

    @Test func tamperedBodyIsRejected() {
        var tampered = Self.body
        tampered[tampered.count - 3] = UInt8(ascii: "2")
        #expect(!PagerDutySignature.verify(body: tampered, header: Self.one, secrets: ["whsec-one"]))
        #expect(!PagerDutySignature.verify(body: Self.body + [0x20], header: Self.one, secrets: ["whsec-one"]))
    }

    @Test func oversizedHeaderIsRejected() {
        let header = String(repeating: "v1=00,", count: 1000) + Self.one
        #expect(!PagerDutySignature.verify(body: Self.body, header: header, secrets: ["whsec-one"]))
    }

    @Test func signAndVerifyRoundTripForAnyBody() {
        let body = Array("{\"event\":{\"event_type\":\"pagey.ping\"}}\n".utf8)
        let header = PagerDutySignature.sign(body: body, secret: "s3cr3t")
        #expect(header.hasPrefix("v1=") && header.count == 67)
        #expect(PagerDutySignature.verify(body: body, header: header, secrets: ["s3cr3t"]))
        #expect(!PagerDutySignature.verify(body: body, header: header, secrets: ["s3cr3T"]))
    }
}
