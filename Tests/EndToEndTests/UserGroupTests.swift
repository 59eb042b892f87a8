import BotCore
import Engine
import Foundation
import HTTPDriver
import Hummingbird
import Logging
import Slack
import Testing

/// `groups:` in permissions.yaml, resolved through a fake Slack Web API speaking `usergroups.list`.
@Suite("Slack user groups")
struct UserGroupTests {
    actor FakeSlackAPI {
        var calls = 0
        var failing = false
        func setFailing(_ f: Bool) { failing = f }

        nonisolated func router() -> Hummingbird.Router<BasicRequestContext> {
            let router = Hummingbird.Router()
            router.get("/api/usergroups.list") { request, _ -> Response in
                await self.answer(request)
            }
            return router
        }

        private func answer(_ request: Request) -> Response {
            calls += 1
            let body: String
            if request.headers[.authorization] != "Bearer xoxb-test-token-123" {
                body = #"{"ok":false,"error":"invalid_auth"}"#
            } else if failing {
                body = #"{"ok":false,"error":"ratelimited"}"#
            } else if request.uri.queryParameters["include_users"] != "true" {
                body = #"{"ok":true,"usergroups":[{"id":"S0SRE","handle":"sre"}]}"#
            } else {
                body = #"{"ok":true,"usergroups":[{"id":"S0SRE","handle":"sre","users":["U07GRACE","U01ALICE"]},{"id":"S0OTHER","users":["U09EVE"]}]}"#
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }

    @Test func groupMembersGetTheGroupsRolesAndOthersDoNot() async throws {
        let fake = FakeSlackAPI()
        let http = HTTPClient(threads: 2)
        try await LocalServer.with(fake.router()) { port in
            let api = SlackWebAPI(http: http, baseURL: "http://127.0.0.1:\(port)/api", token: "xoxb-test-token-123")
            let directory = SlackUserGroupDirectory(api: api, logger: Logger(label: "test"))
            #expect(await directory.groups(of: "U07GRACE") == ["S0SRE"])
            #expect(await directory.groups(of: "U09EVE") == ["S0OTHER"])
            #expect(await directory.groups(of: "U00NOBODY") == [])
            #expect(await fake.calls == 1)  // cached

            let policy = PermissionPolicy(
                roles: ["operator": Role(name: "operator", users: [], groups: ["S0SRE"])],
                grants: [Grant(roles: ["operator"], allow: [CommandGlob("scale *")])])
            let grace = Requester(userID: "U07GRACE", groups: await directory.groups(of: "U07GRACE"))
            let eve = Requester(userID: "U09EVE", groups: await directory.groups(of: "U09EVE"))
            #expect(policy.decide(grace, path: "scale", channel: "C1") == .allow)
            #expect(policy.decide(eve, path: "scale", channel: "C1") != .allow)
        }
        await http.shutdown()
    }

    @Test func aFailingSlackAPIFailsClosed() async throws {
        let fake = FakeSlackAPI()
        await fake.setFailing(true)
        let http = HTTPClient(threads: 2)
        try await LocalServer.with(fake.router()) { port in
            let api = SlackWebAPI(http: http, baseURL: "http://127.0.0.1:\(port)/api", token: "xoxb-test-token-123")
            await #expect(throws: SlackWebAPI.Failure.self) { try await api.userGroups() }
            let directory = SlackUserGroupDirectory(api: api, logger: Logger(label: "test"))
            #expect(await directory.groups(of: "U07GRACE") == [])
        }
        await http.shutdown()
    }

    @Test func aWrongTokenIsReportedWithoutTheToken() async throws {
        let fake = FakeSlackAPI()
        let http = HTTPClient(threads: 2)
        try await LocalServer.with(fake.router()) { port in
            let api = SlackWebAPI(http: http, baseURL: "http://127.0.0.1:\(port)/api", token: "xoxb-wrong-token-999")
            do {
                _ = try await api.userGroups()
                Issue.record("a wrong token was accepted")
            } catch {
                #expect("\(error)".contains("invalid_auth"))
                #expect(!"\(error)".contains("xoxb-wrong-token-999"))
            }
        }
        await http.shutdown()
    }
}
