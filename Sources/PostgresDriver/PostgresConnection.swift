import CLibPQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One blocking libpq session. Confined to its worker thread (created, used and freed there),
/// hence deliberately not Sendable.
///
/// Connects lazily; a session found dropped while idle is reopened before sending. A statement
/// whose connection broke while it ran is sent again once only if it is read-only
/// (``PostgresStatement/isReadOnly(_:)``): the server may already have run it.
final class PostgresConnection {
    struct Configuration: Sendable {
        let url: PostgresURL
        let connectTimeout: Duration
        /// The session's default `statement_timeout`; nil sets none (pgbouncer's console rejects `options`).
        let statementTimeout: Duration?
        let applicationName: String
    }

    /// One statement to run.
    struct Request: Sendable {
        let sql: String
        /// Text-format parameters; nil for the simple query protocol (`PQexec`-style, no parameters).
        let parameters: [String?]?
        /// Overrides the session's `statement_timeout` for this statement only.
        let statementTimeout: Duration?
    }

    /// A failed attempt; `connectionBroke` when the session died while (or before) the statement ran.
    struct Failure: Error {
        let error: PostgresError
        let connectionBroke: Bool
    }

    let configuration: Configuration
    /// The libpq connection; only this class and its extensions touch it (on the worker thread).
    var handle: OpaquePointer?
    /// The server process of the open session, nil when none is open; published as soon as it changes
    /// (while a long statement still runs), so the client always knows its own sessions.
    var backendPID: Int32? {
        didSet { if backendPID != oldValue { onBackendPIDChange(backendPID) } }
    }
    private let onBackendPIDChange: @Sendable (Int32?) -> Void

    init(configuration: Configuration, onBackendPIDChange: @escaping @Sendable (Int32?) -> Void = { _ in }) {
        self.configuration = configuration
        self.onBackendPIDChange = onBackendPIDChange
    }

    deinit {
        disconnect()
    }

    func execute(_ request: Request) -> Result<PostgresResult, PostgresError> {
        if let problem = Self.validate(request) { return .failure(problem) }
        if handle != nil, isDroppedByPeer() { disconnect() }
        let reused = handle != nil
        switch attempt(request) {
        case .success(let result):
            return .success(result)
        case .failure(let failure):
            guard reused, failure.connectionBroke, PostgresStatement.isReadOnly(request.sql) else {
                return .failure(failure.error)
            }
            return attempt(request).mapError(\.error)
        }
    }

    /// `PQserverVersion` of the (possibly freshly opened) session, e.g. 150010.
    func serverVersion() -> Result<Int, PostgresError> {
        if handle != nil, isDroppedByPeer() { disconnect() }
        return connect().map { Int(PQserverVersion($0)) }
    }

    /// Closes the session. Idempotent.
    func disconnect() {
        guard let handle else { return }
        PQfinish(handle)
        self.handle = nil
        backendPID = nil
    }

    // MARK: - Connecting

    private func attempt(_ request: Request) -> Result<PostgresResult, Failure> {
        switch connect() {
        case .failure(let error):
            return .failure(Failure(error: error, connectionBroke: false))
        case .success(let handle):
            guard let override = request.statementTimeout, configuration.statementTimeout != nil else {
                return run(request, on: handle)
            }
            let set = Request(sql: "SELECT set_config('statement_timeout', $1, false)",
                              parameters: [String(Self.milliseconds(override))], statementTimeout: nil)
            if case .failure(let failure) = run(set, on: handle) { return .failure(failure) }
            let result = run(request, on: handle, limit: override)
            if self.handle != nil {
                _ = run(Request(sql: "RESET statement_timeout", parameters: [], statementTimeout: nil), on: handle)
            }
            return result
        }
    }

    // MARK: - Running

    /// Sends one statement and collects its result, waiting at most the statement timeout plus a
    /// grace period: a server that stops answering gets a cancel request, then the session is dropped.
    private func run(_ request: Request, on handle: OpaquePointer, limit: Duration? = nil) -> Result<PostgresResult, Failure> {
        let sent: Int32
        if let parameters = request.parameters {
            let copies = parameters.map { $0.flatMap { strdup($0) } }
            defer { copies.forEach { free($0) } }
            let pointers = copies.map { $0.map { UnsafePointer($0) } }
            sent = PQsendQueryParams(handle, request.sql, Int32(parameters.count), nil, pointers, nil, nil, 0)
        } else {
            sent = PQsendQuery(handle, request.sql)
        }
        guard sent == 1 else { return .failure(lost(handle)) }

        // The server's statement_timeout normally answers first; this bound is for a server that cannot.
        let timeout = limit ?? configuration.statementTimeout ?? .seconds(30)
        let budget = timeout + min(.seconds(5), max(.seconds(1), timeout))
        var deadline = ContinuousClock.now + budget
        var cancelled = false
        var kept: OpaquePointer?
        defer { if let kept { PQclear(kept) } }
        while true {
            while PQisBusy(handle) == 1 {
                let remaining = deadline - ContinuousClock.now
                if remaining <= .zero {
                    guard !cancelled else {
                        disconnect()
                        return .failure(Failure(error: .noAnswer(configuration.url.endpoint, after: budget), connectionBroke: false))
                    }
                    Self.cancel(handle)
                    cancelled = true
                    deadline = ContinuousClock.now + .seconds(2)
                    continue
                }
                var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
                _ = poll(&descriptor, 1, Int32(clamping: max(1, Self.milliseconds(remaining))))
                if PQconsumeInput(handle) == 0 { return .failure(lost(handle)) }
            }
            guard let next = PQgetResult(handle) else { break }
            // Keep the first error (later results are consequences), else the last result.
            if let kept, PQresultStatus(kept) == PGRES_FATAL_ERROR {
                PQclear(next)
            } else {
                if let kept { PQclear(kept) }
                kept = next
            }
        }
        let broke = PQstatus(handle) != CONNECTION_OK
        guard let kept else { return .failure(lost(handle)) }
        let converted = convert(kept)
        if broke {
            disconnect()
            if case .failure(let error) = converted { return .failure(Failure(error: error, connectionBroke: true)) }
        }
        return converted.mapError { Failure(error: $0, connectionBroke: false) }
    }

    /// The session broke: its message (redacted), and the handle is released.
    private func lost(_ handle: OpaquePointer) -> Failure {
        let message = cleanedMessage(PQerrorMessage(handle))
        disconnect()
        return Failure(error: .connectionLost(configuration.url.endpoint, message), connectionBroke: true)
    }

    private static func cancel(_ handle: OpaquePointer) {
        guard let cancel = PQgetCancel(handle) else { return }
        var buffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(cancel, &buffer, Int32(buffer.count))
        PQfreeCancel(cancel)
    }

    // MARK: - Helpers

    /// Trimmed, one line, password redacted.
    func cleanedMessage(_ raw: UnsafePointer<CChar>?) -> String {
        let text = raw.map { String(cString: $0) } ?? ""
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: " \t") }.filter { !$0.isEmpty }
        let joined = lines.joined(separator: " ")
        return PostgresRedaction.redact(joined.isEmpty ? "unknown error" : joined, password: configuration.url.password)
    }

    private static func validate(_ request: Request) -> PostgresError? {
        if request.sql.utf8.contains(0) { return .other("SQL text contains a NUL byte") }
        if let parameters = request.parameters {
            if parameters.count > 65_535 { return .other("too many parameters (at most 65535)") }
            if parameters.contains(where: { $0?.utf8.contains(0) == true }) {
                return .other("a parameter contains a NUL byte, which PostgreSQL text cannot hold")
            }
        }
        return nil
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}

@available(*, unavailable, message: "PostgresConnection is confined to its worker thread")
extension PostgresConnection: Sendable {}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var slice = self[...]
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
