import CHiredis
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One blocking hiredis connection. Confined to its ``RedisWorker`` thread (created, used and
/// freed there), hence deliberately not Sendable.
///
/// Connects lazily; after any transport error the context is freed (hiredis contexts are
/// unusable after an error, and after a timeout a late reply could still arrive), so the next
/// command starts from a fresh connection.
final class RedisConnection {
    struct Configuration: Sendable {
        let url: RedisURL
        let timeout: Duration
    }

    /// A failed attempt; `retryable` when a reused connection turned out to be broken.
    struct Failure: Error {
        let error: RedisError
        let retryable: Bool
    }

    let configuration: Configuration
    private var context: UnsafeMutablePointer<redisContext>?

    init(configuration: Configuration) {
        self.configuration = configuration
    }

    deinit {
        disconnect()
    }

    /// Runs one command (argv only, binary-safe). A connection found broken is reconnected once:
    /// before sending when it was dropped while idle, else after the failed attempt — but then only for
    /// read-only commands, because the server may already have run it: a FLUSHDB or UNLINK is never sent twice.
    func execute(_ arguments: [[UInt8]]) -> Result<RedisReply, RedisError> {
        guard !arguments.isEmpty else { return .failure(.other("Redis command is empty")) }
        guard arguments.count <= Int(Int32.max) else { return .failure(.other("Redis command has too many arguments")) }
        if context != nil, isDroppedByPeer() { disconnect() }
        let reused = context != nil
        switch attempt(arguments) {
        case .success(let reply):
            return .success(reply)
        case .failure(let failure):
            guard reused, failure.retryable, Self.isReadOnly(arguments) else { return .failure(failure.error) }
            return attempt(arguments).mapError(\.error)
        }
    }

    /// Commands that change nothing, safe to send again after a connection broke mid-command.
    static let readOnlyCommands: Set<String> = [
        "PING", "DBSIZE", "INFO", "LLEN", "SCAN", "GET", "MGET", "EXISTS", "TYPE", "TTL", "PTTL", "STRLEN", "HGET", "HGETALL",
        "HLEN", "SCARD", "ZCARD", "XLEN", "MEMORY", "TIME",
    ]

    static func isReadOnly(_ arguments: [[UInt8]]) -> Bool {
        guard let name = arguments.first, name.count <= 16 else { return false }
        return readOnlyCommands.contains(String(decoding: name, as: UTF8.self).uppercased())
    }

    /// Frees the hiredis context (closing the socket). Idempotent.
    func disconnect() {
        guard let context else { return }
        redisFree(context)
        self.context = nil
    }

    // MARK: - Connecting

    private func attempt(_ arguments: [[UInt8]]) -> Result<RedisReply, Failure> {
        switch connect() {
        case .success(let context): return send(arguments, on: context)
        case .failure(let error): return .failure(Failure(error: error, retryable: false))
        }
    }

    /// The live context, or a fresh one: connect with timeout, read/write timeouts, AUTH, SELECT.
    private func connect() -> Result<UnsafeMutablePointer<redisContext>, RedisError> {
        if let context { return .success(context) }
        let url = configuration.url
        let timeout = Self.makeTimeval(configuration.timeout)
        guard let fresh = redisConnectWithTimeout(url.host, Int32(clamping: url.port), timeout) else {
            return .failure(.other("Cannot connect to Redis at \(url.endpoint): out of memory"))
        }
        if fresh.pointee.err != 0 {
            let failure = mapContextError(fresh, errno: errno)
            redisFree(fresh)
            return .failure(failure.error)
        }
        if redisSetTimeout(fresh, timeout) != REDIS_OK {
            let failure = mapContextError(fresh, errno: errno)
            redisFree(fresh)
            return .failure(failure.error)
        }
        context = fresh
        if let password = url.password, !password.isEmpty {
            var auth: [[UInt8]] = [Array("AUTH".utf8)]
            if let username = url.username { auth.append(Array(username.utf8)) }
            auth.append(Array(password.utf8))
            switch send(auth, on: fresh) {
            case .failure(let failure):
                return .failure(failure.error)
            case .success(.error(let message)):
                disconnect()
                return .failure(.authenticationRejected(message))
            case .success:
                break
            }
        }
        if url.database != 0 {
            switch send([Array("SELECT".utf8), Array(String(url.database).utf8)], on: fresh) {
            case .failure(let failure):
                return .failure(failure.error)
            case .success(.error(let message)):
                disconnect()
                if RedisError.isAuthenticationMessage(message) { return .failure(.server(message)) }
                return .failure(.other("Redis at \(url.endpoint) rejected SELECT \(url.database): \(message)"))
            case .success:
                break
            }
        }
        return .success(fresh)
    }

    /// An idle connection has nothing to read (RESP2, no pub/sub, no pipelining): if the socket is
    /// readable or hung up, the server closed it (restart, idle timeout) and the next write would
    /// be lost. Detecting that before sending avoids a retry of a possibly delivered command.
    private func isDroppedByPeer() -> Bool {
        guard let context, context.pointee.fd >= 0 else { return true }
        // A FIN makes the socket readable; POLLHUP/POLLERR are always reported.
        var descriptor = pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) != 0
    }

    // MARK: - Sending

    /// Sends argv with explicit lengths and waits for the reply. On a transport error the context is
    /// freed. The reply object is always released with `freeReplyObject`.
    private func send(_ arguments: [[UInt8]], on context: UnsafeMutablePointer<redisContext>)
        -> Result<RedisReply, Failure> {
        let raw = Self.withArgv(arguments) { argc, argv, lengths in
            redisCommandArgv(context, argc, argv, lengths)
        }
        let savedErrno = errno
        guard let raw else {
            let failure = mapContextError(context, errno: savedErrno)
            disconnect()
            return .failure(failure)
        }
        defer { freeReplyObject(raw) }
        let reply = RedisReply(copying: raw.assumingMemoryBound(to: redisReply.self),
                               redacting: configuration.url.password)
        return .success(reply)
    }

    /// Lays all arguments out in one buffer and passes hiredis a pointer and a length for each:
    /// bytes are sent verbatim (embedded `\r\n`, NUL, spaces), nothing is ever formatted.
    private static func withArgv<R>(
        _ arguments: [[UInt8]],
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R
    ) -> R {
        var storage: [UInt8] = []
        storage.reserveCapacity(arguments.reduce(1) { $0 + $1.count })
        var offsets: [Int] = []
        var lengths: [Int] = []
        for argument in arguments {
            offsets.append(storage.count)
            lengths.append(argument.count)
            storage.append(contentsOf: argument)
        }
        storage.append(0)  // never empty, so the base address exists even if every argument is ""
        return storage.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                let base = chars.baseAddress!
                var argv: [UnsafePointer<CChar>?] = offsets.map { UnsafePointer(base + $0) }
                return argv.withUnsafeMutableBufferPointer { argvBuffer in
                    lengths.withUnsafeBufferPointer { lengthBuffer in
                        body(Int32(arguments.count), argvBuffer.baseAddress!, lengthBuffer.baseAddress!)
                    }
                }
            }
        }
    }

    static func makeTimeval(_ duration: Duration) -> timeval {
        let (seconds, attoseconds) = duration.components
        let microseconds = max(0, attoseconds / 1_000_000_000_000)
        // 0 would mean "no timeout" to the kernel: never wait forever by accident.
        if seconds <= 0, microseconds == 0 { return timeval(tv_sec: 0, tv_usec: 1000) }
        return timeval(tv_sec: .init(max(0, seconds)), tv_usec: .init(microseconds))
    }
}

@available(*, unavailable, message: "RedisConnection is confined to its worker thread")
extension RedisConnection: Sendable {}

extension RedisConnection {
    /// hiredis writes with plain `write(2)`: on a connection the server has dropped that raises
    /// SIGPIPE, whose default action kills the process. A SIGPIPE caused by `write` is directed
    /// at the writing thread, so blocking it here (only on this dedicated thread, no process-wide
    /// change) turns it into an `EPIPE` error that the connection handles like any broken socket.
    static func blockSIGPIPE() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }
}
