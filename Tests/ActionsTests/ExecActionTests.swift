import Actions
import BotCore
import Foundation
import Logging
import Testing

/// `exec` runs programs from the plugin folder only, with JSON in and out, bounded in time and output.
@Suite struct ExecActionTests {
    /// A temporary plugin folder with the given executable scripts (and a sibling folder outside it).
    static func withPlugin(_ scripts: [String: String], _ body: (String, String) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("exec-\(UUID().uuidString)")
        let plugin = root.appendingPathComponent("plugin"), outside = root.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: plugin.appendingPathComponent("bin"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        for (name, text) in scripts {
            try writeFile(plugin.appendingPathComponent(name).path, text, mode: name.hasSuffix(".txt") ? 0o644 : 0o755)
        }
        try writeFile(outside.appendingPathComponent("evil.sh").path, "#!/bin/sh\necho '{\"text\":\"outside\"}'\n", mode: 0o755)
        try FileManager.default.createSymbolicLink(atPath: plugin.appendingPathComponent("bin/link.sh").path, withDestinationPath: outside.appendingPathComponent("evil.sh").path)
        try await body(plugin.path, outside.path)
    }

    func context(_ directory: String?) -> ActionContext {
        ActionContext(userID: "U01ALICE", channelID: "C0LOCAL", command: "/hybrid models warmup", logger: Logger(label: "t"), pluginDirectory: directory)
    }

    @Test func happyPathGetsJSONInAndGivesJSONOut() async throws {
        let echo = """
            #!/usr/bin/env python3
            import json, sys, os
            req = json.load(sys.stdin)
            print(json.dumps({"text": "warmed " + req["args"]["model"] + " for " + req["context"]["user"],
                              "data": {"models": 1, "secret_env": str(any("TOKEN" in k or "SECRET" in k for k in os.environ))},
                              "table": {"columns": ["model", "ms"], "rows": [[req["args"]["model"], 120]]}}))
            """
        try await Self.withPlugin(["bin/warmup.py": echo]) { plugin, _ in
            setenv("SLACK_BOT_TOKEN", "xoxb-should-not-leak", 1)
            defer { unsetenv("SLACK_BOT_TOKEN") }
            let output = try await ExecAction().run(["program": .string("bin/warmup.py"), "args": .map(["model": .string("finbert")])], context: context(plugin))
            #expect(output.summary == "warmed finbert for U01ALICE")
            #expect(output.facts["models"] == "1")
            #expect(output.facts["secret_env"] == "False")
            guard case .table(let table)? = output.details.first else { Issue.record("no table"); return }
            #expect(table.rows == [["finbert", "120"]])
        }
    }

    @Test func failuresAreClear() async throws {
        try await Self.withPlugin([
            "slow.sh": "#!/bin/sh\nsleep 30\n",
            "huge.sh": "#!/bin/sh\nyes '{\"text\":\"spam\"}' | head -c 5000000\n",
            "text.sh": "#!/bin/sh\necho 'hello, not json'\n",
            "fail.sh": "#!/bin/sh\necho 'database unreachable' >&2\nexit 3\n",
            "notexec.txt": "data",
        ]) { plugin, _ in
            let exec = ExecAction()
            let started = ContinuousClock.now
            await #expect(throws: ActionFailure(dependency: "exec slow.sh", message: "no result within 1 s — it was killed")) {
                try await exec.run(["program": .string("slow.sh"), "timeout_seconds": .int(1)], context: context(plugin))
            }
            #expect(ContinuousClock.now - started < .seconds(10))
            await #expect(throws: ActionFailure(dependency: "exec huge.sh", message: "printed more than 64 KiB — it was killed; print less")) {
                try await exec.run(["program": .string("huge.sh")], context: context(plugin))
            }
            do {
                _ = try await exec.run(["program": .string("text.sh")], context: context(plugin))
                Issue.record("non-JSON accepted")
            } catch let error as ActionFailure {
                #expect(error.message.contains("not a JSON object"))
            }
            do {
                _ = try await exec.run(["program": .string("fail.sh")], context: context(plugin))
                Issue.record("exit 3 accepted")
            } catch let error as ActionFailure {
                #expect(error.message == "exited with status 3: database unreachable")
            }
            do {
                _ = try await exec.run(["program": .string("notexec.txt")], context: context(plugin))
                Issue.record("non-executable ran")
            } catch let error as ActionFailure {
                #expect(error.message.contains("not executable"))
            }
        }
    }

    @Test func escapingThePluginFolderIsRefused() async throws {
        try await Self.withPlugin(["ok.sh": "#!/bin/sh\necho '{}'\n"]) { plugin, outside in
            let exec = ExecAction()
            for program in ["../outside/evil.sh", outside + "/evil.sh", "bin/link.sh", "bin/../../outside/evil.sh", "/bin/sh", "", "bin", "nope.sh", "ok.sh\0x"] {
                await #expect(throws: ActionFailure.self, "\(program)") {
                    try await exec.run(["program": .string(program)], context: context(plugin))
                }
            }
            await #expect(throws: ActionFailure.self) { try await exec.run(["program": .string("ok.sh")], context: context(nil)) }
            let ok = try await exec.run(["program": .string("ok.sh")], context: context(plugin))
            #expect(ok.summary == "`ok.sh` ran")
        }
    }

    /// A grandchild that leaves the process group and keeps stdout open cannot hold the command forever.
    @Test func anEscapedGrandchildCannotHoldTheStep() async throws {
        try await Self.withPlugin(["detach.sh": "#!/bin/sh\nsetsid sleep 30 &\necho '{\"text\":\"hi\"}'\n"]) { plugin, _ in
            let started = ContinuousClock.now
            _ = try? await ExecAction().run(["program": .string("detach.sh"), "timeout_seconds": .int(1)], context: context(plugin))
            #expect(ContinuousClock.now - started < .seconds(20))  // the grandchild sleeps 30 s; the step ends near 3 s
        }
    }

    /// The program gets its three pipes and nothing else of the bot's: not a descriptor some library opened without
    /// close-on-exec (a socket, a database file), nor another program's pipe ends (which once held a concurrently
    /// started program's stdin open, so it waited 30 s for an EOF).
    @Test func theProgramInheritsOnlyItsThreePipes() async throws {
        let leaky = open("/dev/null", O_RDONLY)  // deliberately without O_CLOEXEC
        #expect(leaky > 2)
        defer { close(leaky) }
        let probe = """
            #!/bin/sh
            cat > /dev/null
            if [ -e /proc/self/fd/\(leaky) ]; then seen=true; else seen=false; fi
            echo "{\\"text\\":\\"probe\\",\\"data\\":{\\"seen\\":\\"$seen\\"}}"
            """
        try await Self.withPlugin(["probe.sh": probe]) { plugin, _ in
            let output = try await ExecAction().run(["program": .string("probe.sh")], context: context(plugin))
            #expect(output.facts["seen"] == "false")
        }
    }

    /// Written with O_CLOEXEC: a server another test spawns at the same moment must not inherit the file open for
    /// writing, or exec'ing it fails with ETXTBSY for as long as that server lives.
    static func writeFile(_ path: String, _ text: String, mode: mode_t) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count else { throw CocoaError(.fileWriteUnknown) }
        fchmod(fd, mode)
    }
}
