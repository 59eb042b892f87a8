import Foundation
import Hummingbird
import HummingbirdTesting
import Slack
import Testing
import HTTPTypes

/// Bad input gets a clear answer, nothing runs, nothing is recorded wrongly, and the listener keeps serving.
@Suite("hostile input at /slack/commands")
struct HostileInputTests {
    enum Forgery: String, CaseIterable, Sendable {
        case wrongSecret, staleTimestamp, futureTimestamp, noSignature, garbageSignature, truncatedSignature
    }

    @Test(arguments: Forgery.allCases)
    func forgedOrStaleRequestsAre401AndLeaveNoAuditRow(_ forgery: Forgery) async throws {
        try await Harness.run { h in
            let body = h.commandForm(user: "U01ALICE", text: "scale api-gateway 10", id: "forged-\(forgery)")
            let response: TestResponse
            switch forgery {
            case .wrongSecret: response = try await h.post(body, secret: "not-the-secret")
            case .staleTimestamp: response = try await h.post(body, timestampOffset: -310)
            case .futureTimestamp: response = try await h.post(body, timestampOffset: 310)
            case .noSignature: response = try await h.post(body, signature: "")
            case .garbageSignature: response = try await h.post(body, signature: "v0=zz$(reboot)")
            case .truncatedSignature:
                let ts = String(Int64(Date().timeIntervalSince1970))
                let good = SlackSignature(secret: Harness.secret).signature(timestamp: ts, body: Array(body.utf8))
                response = try await h.post(body, signature: String(good.dropLast()))
            }
            #expect(response.status == .unauthorized)
            try await Task.sleep(for: .milliseconds(100))
            #expect(try await h.store.auditRecords().count == 0)
            #expect(await h.kubernetes.requests.isEmpty)
            #expect(await h.sink.everything().isEmpty)
        }
    }

    @Test func tamperedBodyAfterSigningIs401() async throws {
        try await Harness.run { h in
            let body = h.commandForm(user: "U09EVE", text: "help", id: "t")
            let ts = String(Int64(Date().timeIntervalSince1970))
            let signature = SlackSignature(secret: Harness.secret).signature(timestamp: ts, body: Array(body.utf8))
            let tampered = body.replacingOccurrences(of: "U09EVE", with: "U01ALICE")
            var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            headers[HTTPField.Name("X-Slack-Request-Timestamp")!] = ts
            headers[HTTPField.Name("X-Slack-Signature")!] = signature
            let response = try await h.client.execute(uri: "/slack/commands", method: .post, headers: headers, body: ByteBuffer(string: tampered))
            #expect(response.status == .unauthorized)
        }
    }

    @Test func hugeBodyIs413() async throws {
        try await Harness.run { h in
            let body = h.commandForm(user: "U01ALICE", text: String(repeating: "a", count: 70_000), id: "huge")
            let response = try await h.post(body)
            #expect(response.status == .contentTooLarge)
            #expect(try await h.store.auditRecords().count == 0)
        }
    }

    @Test func verifiedRequestOfTheWrongContentTypeIs415() async throws {
        try await Harness.run { h in
            let response = try await h.post("{\"text\":\"scale api-gateway 10\"}", contentType: "application/json")
            #expect(response.status == .unsupportedMediaType)
        }
    }

    @Test func sslCheckIs200() async throws {
        try await Harness.run { h in
            let response = try await h.post("ssl_check=1&token=abc")
            #expect(response.status == .ok)
            #expect(try await h.store.auditRecords().count == 0)
        }
    }

    @Test(arguments: ["", "garbage", "user_id=U01ALICE", "%%%&&&===", "channel_id=C1&user_id=lower&command=/hybrid&text=x&response_url=http://x&trigger_id=t"])
    func signedButBrokenFormsAre400(_ body: String) async throws {
        try await Harness.run { h in
            let response = try await h.post(body)
            #expect(response.status == .badRequest)
            #expect(try await h.store.auditRecords().count == 0)
        }
    }

    @Test func wrongMethodIs405() async throws {
        try await Harness.run { h in
            let response = try await h.client.execute(uri: "/slack/commands", method: .get)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "POST")
        }
    }

    static let injections = [
        "scale api-gateway 10; rm -rf /",
        "scale api-gateway `reboot`",
        "scale $(reboot) 3",
        "scale api-gateway 10\nscale api-gateway 50",
        "scale api-gateway 1e3",
        "scale api-gateway 99999999999999999999",
        "scale api-gateway -1",
        "scale ../../etc/passwd 3",
        "scale api-gateway%20 3",
        "scale 'api-gateway 10",
        "scale api-gateway 10 extra",
        "scale \u{0}api-gateway 3",
        String(repeating: "scale ", count: 2000),
    ]

    @Test(arguments: injections)
    func injectionLookingTextIsRefusedAndNothingRuns(_ text: String) async throws {
        try await Harness.run { h in
            let (ack, replies) = try await h.say(text, as: "U01ALICE")
            #expect(ack.status == .ok)
            let reply = try #require(replies.first)
            #expect(reply.responseType == .ephemeral)
            #expect(!reply.text.isEmpty)
            #expect(await h.kubernetes.requests.isEmpty)
            #expect(try await h.auditKinds() == ["command", "rejected"])
        }
    }

    @Test func unknownCommandSuggestsTheClosest() async throws {
        try await Harness.run { h in
            let (_, replies) = try await h.say("scael api-gateway 3", as: "U01ALICE")
            #expect(replies.first?.text.contains("Did you mean `scale`") == true)
        }
    }

    @Test func otherSlashCommandNamesAreAnsweredNotRun() async throws {
        try await Harness.run { h in
            let body = h.commandForm(user: "U01ALICE", text: "scale api-gateway 10", id: "other", command: "/deploy")
            let response = try await h.post(body)
            #expect(response.status == .ok)
            #expect(response.text.contains("This bot answers `/hybrid`"))
            #expect(await h.kubernetes.requests.isEmpty)
        }
    }

    @Test func theListenerKeepsServingAfterHostileInput() async throws {
        try await Harness.run { h in
            for body in ["%", String(repeating: "&", count: 5000), "text=\u{FFFF}"] { _ = try await h.post(body) }
            _ = try await h.post(h.commandForm(user: "U01ALICE", text: "x", id: "f"), secret: "wrong")
            let (_, replies) = try await h.say("scale api-gateway 7", as: "U01ALICE")
            #expect(replies.first?.text.contains("*7*") == true)
        }
    }
}
