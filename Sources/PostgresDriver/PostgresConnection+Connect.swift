import CLibPQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension PostgresConnection {
    /// The open session, or a fresh one: `PQconnectStartParams` + `PQconnectPoll` under one deadline
    /// for the whole handshake (libpq's own `connect_timeout` counts whole seconds, at least 2, per address).
    func connect() -> Result<OpaquePointer, PostgresError> {
        if let handle { return .success(handle) }
        let endpoint = configuration.url.endpoint
        let settings = connectionSettings()
        let started = Self.withCStrings(settings.map(\.0)) { keywords in
            Self.withCStrings(settings.map(\.1)) { values in PQconnectStartParams(keywords, values, 0) }
        }
        guard let fresh = started else { return .failure(.connectFailed(endpoint, "out of memory")) }
        let deadline = ContinuousClock.now + configuration.connectTimeout
        var status = PGRES_POLLING_WRITING
        while status != PGRES_POLLING_OK {
            if status == PGRES_POLLING_FAILED || PQstatus(fresh) == CONNECTION_BAD {
                let message = cleanedMessage(PQerrorMessage(fresh))
                PQfinish(fresh)
                if message.lowercased().contains("timeout expired") {
                    return .failure(.connectTimeout(endpoint, after: configuration.connectTimeout))
                }
                return .failure(.connectFailed(endpoint, message))
            }
            let remaining = deadline - ContinuousClock.now
            var descriptor = pollfd(fd: PQsocket(fresh), events: Int16(status == PGRES_POLLING_READING ? POLLIN : POLLOUT), revents: 0)
            guard remaining > .zero,
                  poll(&descriptor, 1, Int32(clamping: max(1, Self.milliseconds(remaining)))) != 0 else {
                PQfinish(fresh)
                return .failure(.connectTimeout(endpoint, after: configuration.connectTimeout))
            }
            status = PQconnectPoll(fresh)
        }
        // libpq prints NOTICEs ("relation … already exists, skipping") to stderr by default.
        PQsetNoticeProcessor(fresh, { _, _ in }, nil)
        handle = fresh
        backendPID = PQbackendPID(fresh)
        return .success(fresh)
    }

    /// libpq keywords: the URL's, plus `application_name`, the default `statement_timeout` (as
    /// startup `options`) and `connect_timeout` as a backstop.
    private func connectionSettings() -> [(String, String)] {
        let url = configuration.url
        var settings: [(String, String)] = [
            ("host", url.host), ("port", String(url.port)), ("dbname", url.database),
            ("connect_timeout", String(max(2, (Self.milliseconds(configuration.connectTimeout) + 999) / 1000))),
            ("application_name", configuration.applicationName),
        ]
        if let user = url.user { settings.append(("user", user)) }
        if let password = url.password { settings.append(("password", password)) }
        var options = url.parameters.first(where: { $0.key == "options" })?.value ?? ""
        if let timeout = configuration.statementTimeout {
            options += (options.isEmpty ? "" : " ") + "-c statement_timeout=\(Self.milliseconds(timeout))"
        }
        if !options.isEmpty { settings.append(("options", options)) }
        let overridden: Set<String> = ["options", "application_name", "connect_timeout"]
        settings += url.parameters.filter { !overridden.contains($0.key) }.map { ($0.key, $0.value) }
        return settings
    }

    /// An idle session has nothing to read (no LISTEN, no pipelining): a readable or hung-up socket
    /// means the server ended it (restart, `pg_terminate_backend`, idle timeout).
    func isDroppedByPeer() -> Bool {
        guard let handle, PQstatus(handle) == CONNECTION_OK else { return true }
        let socket = PQsocket(handle)
        guard socket >= 0 else { return true }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) != 0
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } } + [nil]
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
