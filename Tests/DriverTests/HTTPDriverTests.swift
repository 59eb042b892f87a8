import Foundation
import HTTPDriver
import Hummingbird
import TestSupport
import Testing

// Hummingbird re-exports HTTPTypes' HTTPRequest/HTTPResponse; name ours explicitly.
private typealias Request = HTTPDriver.HTTPRequest

@Suite struct HTTPDriverTests {
    @Test func echoesMethodHeadersAndBody() async throws {
        try await TestHTTPServer.run { base in
            let client = HTTPClient(threads: 2)
            let request = Request(
                method: "POST", url: "\(base)/echo",
                headers: [("Content-Type", "application/json"), ("X-Trace", "abc 123")],
                body: Array(#"{"hello":"world"}"#.utf8))
            let response = try await client.execute(request)
            await client.shutdown()
            #expect(response.status == 200)
            #expect(response.header("CONTENT-TYPE")?.hasPrefix("application/json") == true)
            #expect(response.headers.allSatisfy { $0.0 == $0.0.lowercased() })
            let echo = try JSONDecoder().decode(EchoReply.self, from: Data(response.body))
            #expect(echo.method == "POST")
            #expect(echo.headers["x-trace"] == "abc 123")
            #expect(echo.headers["content-type"] == "application/json")
            #expect(echo.headers["expect"] == nil)
            #expect(echo.body == #"{"hello":"world"}"#)
        }
    }

    @Test func patchWithMergePatchContentTypeArrivesIntact() async throws {
        try await TestHTTPServer.run { base in
            let client = HTTPClient(threads: 1)
            let patch = #"{"spec":{"replicas":3},"metadata":{"annotations":{"a":"b c"}}}"#
            let response = try await client.execute(Request(
                method: "PATCH", url: "\(base)/echo",
                headers: [("Content-Type", "application/merge-patch+json"), ("Authorization", "Bearer tkn")],
                body: Array(patch.utf8)))
            await client.shutdown()
            let echo = try JSONDecoder().decode(EchoReply.self, from: Data(response.body))
            #expect(echo.method == "PATCH")
            #expect(echo.headers["content-type"] == "application/merge-patch+json")
            #expect(echo.headers["content-length"] == "\(patch.utf8.count)")
            #expect(echo.body == patch)
        }
    }

    @Test func getDeleteAndHead() async throws {
        try await TestHTTPServer.run { base in
            let client = HTTPClient(threads: 2)
            for method in ["GET", "DELETE", "PUT"] {
                let response = try await client.execute(Request(method: method, url: "\(base)/echo"))
                let echo = try JSONDecoder().decode(EchoReply.self, from: Data(response.body))
                #expect(echo.method == method)
                #expect(echo.body.isEmpty)
            }
            let head = try await client.execute(Request(method: "HEAD", url: "\(base)/echo"))
            await client.shutdown()
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
        }
    }

    @Test func notFoundPassesStatusAndBodyThrough() async throws {
        try await TestHTTPServer.run { base in
            let client = HTTPClient(threads: 1)
            let response = try await client.execute(Request(method: "GET", url: "\(base)/missing"))
            await client.shutdown()
            #expect(response.status == 404)
            #expect(response.header("content-type") == "application/json")
            #expect(String(decoding: response.body, as: UTF8.self) == TestHTTPServer.kubernetesNotFound)
        }
    }

    @Test func slowServerTimesOut() async throws {
        try await TestHTTPServer.run { base in
            let client = HTTPClient(threads: 1)
            let started = ContinuousClock.now
            let error = await #expect(throws: HTTPClientError.self) {
                try await client.execute(Request(method: "GET", url: "\(base)/slow?token=qsecret", timeout: .milliseconds(500)))
            }
            let waited = ContinuousClock.now - started
            await client.shutdown()
            #expect(error?.isTimeout == true)
            #expect(waited < .seconds(2))
            let description = error?.description ?? ""
            #expect(description.contains("timed out after 500ms"))
            #expect(description.contains("\(base)/slow"))
            #expect(!description.contains("qsecret"))
        }
    }

    @Test(arguments: ["large", "large-chunked"])
    func responsesBeyondTheLimitAreRejected(route: String) async throws {
        try await TestHTTPServer.run { base in
            let client = HTTPClient(threads: 1)
            let error = await #expect(throws: HTTPClientError.self) {
                try await client.execute(Request(method: "GET", url: "\(base)/\(route)", maxResponseBytes: 64 << 10))
            }
            #expect(error?.isTooLarge == true)
            #expect(error?.description.contains("65536 bytes") == true)
            let full = try await client.execute(Request(method: "GET", url: "\(base)/\(route)"))
            await client.shutdown()
            #expect(full.body.count == 1 << 20)
        }
    }

    @Test func closedPortIsCouldNotConnectWithoutSecrets() async throws {
        let client = HTTPClient(threads: 1)
        let error = await #expect(throws: HTTPClientError.self) {
            try await client.execute(Request(
                method: "GET", url: "http://user:secret@127.0.0.1:1/x?api_key=qsecret",
                headers: [("Authorization", "Bearer hdrsecret-token")]))
        }
        await client.shutdown()
        #expect(error?.isCouldNotConnect == true)
        let description = error?.description ?? ""
        #expect(description.contains("http://127.0.0.1:1/x"))
        for secret in ["secret", "user:", "api_key", "hdrsecret"] {
            #expect(!description.contains(secret), "description leaks \(secret): \(description)")
        }
    }

    @Test func fiftyConcurrentRequestsOnFourThreads() async throws {
        try await TestHTTPServer.run { base in
            let client = HTTPClient(threads: 4)
            let statuses = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for index in 0..<50 {
                    group.addTask {
                        let response = try await client.execute(Request(
                            method: "POST", url: "\(base)/echo",
                            headers: [("Content-Type", "text/plain")], body: Array("req-\(index)".utf8)))
                        let echo = try JSONDecoder().decode(EchoReply.self, from: Data(response.body))
                        #expect(echo.body == "req-\(index)")
                        return (response.status, echo.body)
                    }
                }
                var all: [(Int, String)] = []
                for try await result in group { all.append(result) }
                return all
            }
            await client.shutdown()
            #expect(statuses.count == 50)
            #expect(statuses.allSatisfy { $0.0 == 200 })
            #expect(Set(statuses.map(\.1)).count == 50)
        }
    }

    @Test func invalidInputsAreRejectedSafely() async throws {
        let client = HTTPClient(threads: 1)
        let badScheme = await #expect(throws: HTTPClientError.self) {
            try await client.execute(Request(method: "GET", url: "file:///etc/passwd"))
        }
        #expect(badScheme?.isInvalidURL == true)
        let injected = await #expect(throws: HTTPClientError.self) {
            try await client.execute(Request(
                method: "GET", url: "http://127.0.0.1:1/", headers: [("X-A", "v\r\nX-Injected: 1")]))
        }
        #expect(injected?.isInvalidRequest == true)
        await client.shutdown()
        await client.shutdown()  // idempotent
        let afterShutdown = await #expect(throws: HTTPClientError.self) {
            try await client.execute(Request(method: "GET", url: "http://127.0.0.1:1/"))
        }
        #expect(afterShutdown?.isShutDown == true)
    }
}

@Suite struct HTTPDriverCancellationTests {
    @Test func cancellingAQueuedRequestReturnsPromptly() async throws {
        try await TestHTTPServer.run { base in
            let client = HTTPClient(threads: 1)
            // Occupies the only worker thread for ~2.5 s.
            let blocker = Task {
                try await client.execute(Request(method: "GET", url: "\(base)/slow", timeout: .milliseconds(2_500)))
            }
            try await Task.sleep(for: .milliseconds(100))
            let queued = Task {
                try await client.execute(Request(method: "GET", url: "\(base)/echo"))
            }
            try await Task.sleep(for: .milliseconds(100))
            let started = ContinuousClock.now
            queued.cancel()
            await #expect(throws: CancellationError.self) { try await queued.value }
            // Well before the blocker frees the worker (a loaded machine gets slack, not a pass by accident).
            #expect(ContinuousClock.now - started < .milliseconds(1_500))
            let blockerError = await #expect(throws: HTTPClientError.self) { try await blocker.value }
            #expect(blockerError?.isTimeout == true)
            // The worker is free again and the skipped request did not wedge the queue.
            let after = try await client.execute(Request(method: "GET", url: "\(base)/echo"))
            #expect(after.status == 200)
            await client.shutdown()
        }
    }

    /// A cancelled request to a server that accepts and never answers frees its worker within about a second (the
    /// progress callback), so a shutdown does not wait out the request's timeout: a core stopping while its relay is
    /// unreachable exited 27 s after its services had stopped.
    @Test func cancellingARunningRequestToASilentServerFreesItsWorker() async throws {
        let silent = try RedisTestSocket(listen: true)
        defer { silent.close() }
        let client = HTTPClient(threads: 1)
        let url = "http://127.0.0.1:\(silent.port)/relay/v1/events"
        let running = Task { try await client.execute(Request(method: "GET", url: url, timeout: .seconds(30))) }
        try await Task.sleep(for: .milliseconds(300))
        running.cancel()
        await #expect(throws: CancellationError.self) { try await running.value }
        let started = ContinuousClock.now
        await client.shutdown()
        #expect(ContinuousClock.now - started < .seconds(10), "the worker waited out the 30 s timeout")
    }
}
