/// Typed helpers: a server error reply is thrown (``RedisError/isServerError``, or
/// ``RedisError/isAuthentication`` for NOAUTH/WRONGPASS), an unexpected reply shape is thrown as
/// ``RedisError/isProtocolError``.
extension RedisClient {
    package func ping() async throws(RedisError) {
        let reply = try await checkedCommand(["PING"])
        guard reply.string == "PONG" else { throw .unexpectedReply("PING", reply) }
    }

    /// Number of keys in the selected database.
    package func dbsize() async throws(RedisError) -> Int {
        try await integer(["DBSIZE"])
    }

    /// Deletes every key of the selected database.
    package func flushdb() async throws(RedisError) {
        let reply = try await checkedCommand(["FLUSHDB"])
        guard reply.string == "OK" else { throw .unexpectedReply("FLUSHDB", reply) }
    }

    /// `INFO [section]` as a dictionary of its `key:value` lines (`# Section` headers skipped).
    package func info(_ section: String? = nil) async throws(RedisError) -> [String: String] {
        let reply = try await checkedCommand(section.map { ["INFO", $0] } ?? ["INFO"])
        guard let text = reply.string else { throw .unexpectedReply("INFO", reply) }
        return Self.parseInfo(text)
    }

    package func llen(_ key: String) async throws(RedisError) -> Int {
        try await integer(["LLEN", key])
    }

    /// One `SCAN cursor [MATCH pattern] COUNT n` step. Start with cursor "0"; done when "0" returns.
    /// Keys that are not valid UTF-8 are decoded with replacement characters.
    package func scan(cursor: String, match: String?, count: Int) async throws(RedisError)
        -> (cursor: String, keys: [String]) {
        let page = try await scanBytes(cursor: cursor, match: match, count: count)
        return (page.cursor, page.keys.map { String(decoding: $0, as: UTF8.self) })
    }

    /// Counts keys matching `pattern` with a SCAN loop (never KEYS, so the server is not blocked).
    /// Keys SCAN reports twice are counted once; stops early and returns `maxKeys` once that many
    /// distinct keys were seen (memory stays bounded by `maxKeys`).
    package func countKeys(matching pattern: String, maxKeys: Int = 1_000_000) async throws(RedisError) -> Int {
        guard maxKeys > 0 else { return 0 }
        var seen = Set<[UInt8]>()
        var cursor = "0"
        repeat {
            let page = try await scanBytes(cursor: cursor, match: pattern, count: 1_000)
            for key in page.keys {
                seen.insert(key)
                if seen.count >= maxKeys { return maxKeys }
            }
            cursor = page.cursor
        } while cursor != "0"
        return seen.count
    }

    /// Deletes keys matching `pattern`: SCAN pages of about `batch` keys, each removed with one
    /// `UNLINK` (non-blocking delete; `DEL` on servers older than 4.0). Returns how many keys were
    /// actually deleted (keys SCAN reports twice are not counted twice).
    package func unlinkKeys(matching pattern: String, batch: Int = 500) async throws(RedisError) -> Int {
        let batch = max(1, batch)
        var deleteCommand = "UNLINK"
        var deleted = 0
        var pending: [[UInt8]] = []
        var cursor = "0"
        repeat {
            let page = try await scanBytes(cursor: cursor, match: pattern, count: batch)
            pending += page.keys
            cursor = page.cursor
            while pending.count >= batch || (cursor == "0" && !pending.isEmpty) {
                let keys = Array(pending.prefix(batch))
                pending.removeFirst(keys.count)
                let reply = try await command(bytes: [Array(deleteCommand.utf8)] + keys)
                if case .error(let message) = reply, deleteCommand == "UNLINK",
                   message.uppercased().contains("UNKNOWN COMMAND") {
                    deleteCommand = "DEL"
                    pending.insert(contentsOf: keys, at: 0)
                    continue
                }
                if case .error(let message) = reply { throw .server(message) }
                guard let count = reply.int else { throw .unexpectedReply(deleteCommand, reply) }
                deleted += count
            }
        } while cursor != "0"
        return deleted
    }

    // MARK: - Helpers

    private func integer(_ arguments: [String]) async throws(RedisError) -> Int {
        let reply = try await checkedCommand(arguments)
        guard let value = reply.int else { throw .unexpectedReply(arguments[0], reply) }
        return value
    }

    private func scanBytes(cursor: String, match: String?, count: Int) async throws(RedisError)
        -> (cursor: String, keys: [[UInt8]]) {
        var arguments = ["SCAN", cursor]
        if let match { arguments += ["MATCH", match] }
        arguments += ["COUNT", String(max(1, count))]
        let reply = try await checkedCommand(arguments)
        guard let parts = reply.array, parts.count == 2, let next = parts[0].string,
              let keys = parts[1].array else {
            throw .unexpectedReply("SCAN", reply)
        }
        var result: [[UInt8]] = []
        result.reserveCapacity(keys.count)
        for key in keys {
            guard let bytes = key.bytes else { throw .unexpectedReply("SCAN", reply) }
            result.append(bytes)
        }
        return (next, result)
    }

    static func parseInfo(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            guard !line.hasPrefix("#"), let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        return fields
    }
}
