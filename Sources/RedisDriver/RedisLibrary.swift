import CHiredis

/// Link-level checks of hiredis; the real client comes later.
package enum RedisLibrary {
    /// "major.minor.patch" of the hiredis headers this module was compiled against.
    package static var hiredisVersion: String {
        "\(HIREDIS_MAJOR).\(HIREDIS_MINOR).\(HIREDIS_PATCH)"
    }

    /// Parses "+OK\r\n" with a hiredis reader and checks it yields the status reply "OK".
    package static func readerSmokeTest() -> Bool {
        guard let reader = redisReaderCreate() else { return false }
        defer { redisReaderFree(reader) }
        let input = "+OK\r\n"
        let fed = input.withCString { redisReaderFeed(reader, $0, input.utf8.count) }
        guard fed == REDIS_OK else { return false }
        var raw: UnsafeMutableRawPointer?
        guard redisReaderGetReply(reader, &raw) == REDIS_OK, let raw else { return false }
        defer { freeReplyObject(raw) }
        let reply = raw.assumingMemoryBound(to: redisReply.self).pointee
        guard reply.type == REDIS_REPLY_STATUS, let text = reply.str else { return false }
        return String(cString: text) == "OK"
    }
}
