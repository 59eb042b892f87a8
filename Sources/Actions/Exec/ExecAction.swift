import BotCore
import CSpawn
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `exec`: the escape hatch for steps no built-in covers. Runs a program from the command's plugin folder — never a
/// shell, never a path outside the folder — with JSON on stdin (`{"args": {...}, "context": {...}}`) and reads JSON
/// from stdout (`{"text": "...", "data": {...}}`). Parameters: `program` (path relative to the plugin folder),
/// `args` (a map passed through), `timeout_seconds` (default 30, at most 300), `max_output_kib` (default 64, at most
/// 1024). The program gets a minimal environment (PATH, LANG, HOME and HYBRIDBOT_PLUGIN_DIR = the plugin folder): no bot
/// secrets. It may change things, so it is never a preview step.
package struct ExecAction: Action {
    package let name = "exec"
    /// A plugin program may do anything: never a preview step.
    package let readOnly = false

    package init() {}

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        guard let directory = context.pluginDirectory else {
            throw .badParameter(name, "this command has no plugin folder to run a program from")
        }
        let program = try parameters.requiredString("program", for: name)
        let executable = try Self.resolve(program: program, in: directory)
        let timeout = max(1, min(300, parameters["timeout_seconds"]?.intValue ?? 30))
        let limit = max(1, min(1024, parameters["max_output_kib"]?.intValue ?? 64)) * 1024
        var input: [String: Any] = [
            "context": ["user": context.userID, "channel": context.channelID, "command": context.command],
        ]
        if case .map(let args)? = parameters["args"] { input["args"] = args.mapValues(\.jsonObject) } else { input["args"] = [String: Any]() }
        let stdin = (try? JSONSerialization.data(withJSONObject: input, options: [.sortedKeys])) ?? Data("{}".utf8)
        let result = await ProgramRunner.run(executable: executable, directory: directory, stdin: stdin, timeout: timeout, limit: limit)
        let shown = "`\(program)`"
        switch result {
        case .failedToStart(let why):
            throw ActionFailure(dependency: "exec \(program)", message: "could not start: \(why)")
        case .timedOut:
            throw ActionFailure(dependency: "exec \(program)", message: "no result within \(timeout) s — it was killed")
        case .tooLarge:
            throw ActionFailure(dependency: "exec \(program)", message: "printed more than \(limit / 1024) KiB — it was killed; print less")
        case .finished(let status, let stdout, let stderr):
            guard status == 0 else {
                let tail = String(decoding: stderr.suffix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                throw ActionFailure(dependency: "exec \(program)", message: "exited with status \(status)" + (tail.isEmpty ? "" : ": \(tail)"))
            }
            guard let object = (try? JSONSerialization.jsonObject(with: stdout)) as? [String: Any] else {
                throw ActionFailure(dependency: "exec \(program)", message: "printed something that is not a JSON object (expected {\"text\": …})")
            }
            let text = (object["text"] as? String) ?? "\(shown) ran"
            var facts: [String: String] = [:]
            if let data = object["data"] as? [String: Any] {
                for (key, value) in data { facts[key] = (value as? String) ?? "\(value)" }
            }
            var details: [OutputDetail] = []
            if let table = object["table"] as? [String: Any], let columns = table["columns"] as? [String], let rows = table["rows"] as? [[Any]] {
                details.append(.table(OutputTable(title: table["title"] as? String, columns: columns, rows: rows.map { $0.map { "\($0)" } })))
            }
            return ActionOutput(summary: String(text.prefix(3000)), facts: facts, details: details)
        }
    }

    /// `program` must name an executable regular file inside `directory` (after resolving symlinks).
    static func resolve(program: String, in directory: String) throws(ActionFailure) -> String {
        let refuse = { (why: String) -> ActionFailure in ActionFailure(dependency: "exec", message: "refused `\(program.prefix(80))`: \(why)") }
        guard !program.isEmpty, !program.hasPrefix("/"), !program.contains("\0"),
              !program.split(separator: "/").contains("..") else { throw refuse("give a path inside the plugin folder") }
        guard let root = realpath(directory, nil).map({ p -> String in defer { free(p) }; return String(cString: p) }) else {
            throw refuse("the plugin folder cannot be read")
        }
        guard let real = realpath(root + "/" + program, nil).map({ p -> String in defer { free(p) }; return String(cString: p) }) else {
            throw refuse("no such program in the plugin folder")
        }
        guard real.hasPrefix(root + "/") else { throw refuse("it resolves outside the plugin folder") }
        var info = stat()
        guard stat(real, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { throw refuse("not a regular file") }
        guard access(real, X_OK) == 0 else { throw refuse("not executable (chmod +x)") }
        return real
    }
}

extension ResolvedValue {
    var jsonObject: Any {
        switch self {
        case .string(let s): s
        case .int(let i): i
        case .double(let d): d
        case .bool(let b): b
        case .list(let items): items.map(\.jsonObject)
        case .map(let m): m.mapValues(\.jsonObject)
        }
    }
}

/// Runs one program on its own threads (spawning and pipe reads block), never on the cooperative pool.
enum ProgramRunner {
    enum Result: Sendable {
        case finished(status: Int32, stdout: Data, stderr: Data)
        case timedOut
        case tooLarge
        case failedToStart(String)
    }

    static func run(executable: String, directory: String, stdin: Data, timeout: Int, limit: Int) async -> Result {
        await withCheckedContinuation { (continuation: CheckedContinuation<Result, Never>) in
            let thread = Thread {
                continuation.resume(returning: runBlocking(executable: executable, directory: directory, stdin: stdin, timeout: timeout, limit: limit))
            }
            thread.name = "exec"
            thread.start()
        }
    }

    private static func runBlocking(executable: String, directory: String, stdin: Data, timeout: Int, limit: Int) -> Result {
        guard let spawned = spawn(executable: executable, directory: directory) else {
            return .failedToStart(String(cString: strerror(errno)))
        }
        let pid = spawned.pid
        let state = RunState()
        // The program runs in its own process group: a timeout kills it and everything it started.
        let killer = DispatchWorkItem {
            state.mark(.timedOut)
            kill(-pid, SIGKILL)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(timeout), execute: killer)
        // stdin: written and closed (a program that does not read it gets EPIPE, which is ignored).
        let writer = Thread {
            // Writing to a program that already exited must be EPIPE, not a SIGPIPE that kills the bot: the signal
            // goes to the writing thread, so blocking it here is enough.
            var pipeSignal = sigset_t()
            sigemptyset(&pipeSignal)
            sigaddset(&pipeSignal, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
            let handle = FileHandle(fileDescriptor: spawned.stdin, closeOnDealloc: true)
            try? handle.write(contentsOf: stdin)
            try? handle.close()
        }
        writer.start()
        let stderrBox = DataBox()
        let stderrDone = DispatchSemaphore(value: 0)
        // Readers stop at the deadline even if a grandchild that escaped the process group keeps the pipes open.
        let deadline = DispatchTime.now() + .seconds(timeout + 2)
        let errorReader = Thread {
            stderrBox.set(read(spawned.stderr, limit: 16 * 1024, deadline: deadline, onOverflow: {}))
            stderrDone.signal()
        }
        errorReader.start()
        let stdout = read(spawned.stdout, limit: limit, deadline: deadline) {
            state.mark(.tooLarge)
            kill(-pid, SIGKILL)
        }
        stderrDone.wait()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        killer.cancel()
        switch state.outcome {
        case .timedOut?: return .timedOut
        case .tooLarge?: return .tooLarge
        case nil:
            let exited = (status & 0x7f) == 0
            return .finished(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), stdout: stdout, stderr: stderrBox.get())
        }
    }

    /// posix_spawn with a new process group, default signal handling and an empty signal mask (the bot's threads block
    /// signals; a child must not inherit that), a minimal environment (no bot secrets) and three pipes.
    private static func spawn(executable: String, directory: String) -> (pid: pid_t, stdin: Int32, stdout: Int32, stderr: Int32)? {
        var input: [Int32] = [0, 0], output: [Int32] = [0, 0], errors: [Int32] = [0, 0]
        // Close-on-exec from birth: no program started by another thread at the same moment inherits these (it would
        // hold this program's stdin open, and the program would wait for an EOF that never comes); dup2 clears the
        // flag for the child's 0/1/2.
        guard hb_pipe_cloexec(&input) == 0 else { return nil }
        guard hb_pipe_cloexec(&output) == 0 else { close(input[0]); close(input[1]); return nil }
        guard hb_pipe_cloexec(&errors) == 0 else { [input, output].flatMap { $0 }.forEach { close($0) }; return nil }
        defer { close(input[0]); close(output[1]); close(errors[1]) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        // Then everything else is closed, close-on-exec or not: sockets and files opened by C libraries included.
        guard hb_spawn_close_from(&actions, 3) == 0 else {
            close(input[1]); close(output[0]); close(errors[0])  // (the child's ends are closed by the defer above)
            return nil
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        // (posix_spawn cannot change directory portably here: the plugin folder is passed as HYBRIDBOT_PLUGIN_DIR.)
        let environment = ["PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", "HOME=\(directory)", "HYBRIDBOT_PLUGIN_DIR=\(directory)"]
        var argv: [UnsafeMutablePointer<CChar>?] = [strdup(executable), nil]
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        var result = posix_spawn(&pid, executable, &actions, &attributes, &argv, &envp)
        // ETXTBSY: the program file was just written and another thread's fork still holds it open for writing
        // (a freshly deployed plugin). It passes within moments; try a few times.
        for _ in 0..<10 where result == ETXTBSY {
            usleep(50_000)
            result = posix_spawn(&pid, executable, &actions, &attributes, &argv, &envp)
        }
        guard result == 0 else {
            errno = result
            close(input[1]); close(output[0]); close(errors[0])
            return nil
        }
        return (pid, input[1], output[0], errors[0])
    }

    /// Reads until EOF or `deadline` (a program's own children may keep the pipe open after it was killed), keeping at
    /// most `limit` bytes; calls `onOverflow` once when more arrives (and keeps draining). Closes the descriptor.
    private static func read(_ fd: Int32, limit: Int, deadline: DispatchTime, onOverflow: () -> Void) -> Data {
        defer { close(fd) }
        var data = Data()
        var overflowed = false
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while DispatchTime.now() < deadline {
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let polled = poll(&ready, 1, 200)
            if polled < 0 && errno == EINTR { continue }
            if polled <= 0 { continue }
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            if data.count + count > limit {
                if !overflowed { overflowed = true; onOverflow() }
                continue
            }
            data.append(contentsOf: buffer[0..<count])
        }
        return data
    }

    /// Why the runner killed the program, set once from the timer or the reader.
    final class RunState: Sendable {
        enum Outcome { case timedOut, tooLarge }
        private let value = Mutex<Outcome?>(nil)
        func mark(_ outcome: Outcome) { value.withLock { if $0 == nil { $0 = outcome } } }
        var outcome: Outcome? { value.withLock { $0 } }
    }

    final class DataBox: Sendable {
        private let data = Mutex(Data())
        func set(_ d: Data) { data.withLock { $0 = d } }
        func get() -> Data { data.withLock { $0 } }
    }
}
