import CHiredis

/// One RESP2 reply, copied out of hiredis' `redisReply` tree (which is freed right after).
package indirect enum RedisReply: Sendable, Equatable {
    case status(String)
    case error(String)
    case integer(Int64)
    case bulk([UInt8])
    case null
    case array([RedisReply])

    /// A status or bulk reply as UTF-8 text; nil for other kinds and for bulk bytes that are not UTF-8.
    package var string: String? {
        switch self {
        case .status(let text): return text
        case .bulk(let bytes): return String(validating: bytes, as: UTF8.self)
        default: return nil
        }
    }

    /// An integer reply.
    package var int: Int? {
        if case .integer(let value) = self { return Int(exactly: value) }
        return nil
    }

    /// An array reply's elements.
    package var array: [RedisReply]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// A bulk reply's raw bytes.
    package var bytes: [UInt8]? {
        if case .bulk(let bytes) = self { return bytes }
        return nil
    }

    package var isNull: Bool { self == .null }

    /// For error messages: names the kind, never the content.
    var kindName: String {
        switch self {
        case .status: return "status"
        case .error: return "error"
        case .integer: return "integer"
        case .bulk: return "bulk"
        case .null: return "null"
        case .array: return "array"
        }
    }
}

extension RedisReply {
    /// Deep-copies a hiredis reply. Error texts are redacted (the password never leaves the driver,
    /// even if a server echoes it). The caller still owns `raw` and must `freeReplyObject` it.
    init(copying raw: UnsafePointer<redisReply>, redacting password: String?) {
        let reply = raw.pointee
        switch reply.type {
        case REDIS_REPLY_STATUS:
            self = .status(String(decoding: Self.bytes(reply), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            let text = String(decoding: Self.bytes(reply), as: UTF8.self)
            self = .error(RedisRedaction.redact(text, password: password))
        case REDIS_REPLY_INTEGER:
            self = .integer(Int64(reply.integer))
        case REDIS_REPLY_STRING:
            self = .bulk(Self.bytes(reply))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(reply.elements)
            for index in 0..<reply.elements {
                if let element = reply.element?[index] {
                    elements.append(RedisReply(copying: element, redacting: password))
                } else {
                    elements.append(.null)
                }
            }
            self = .array(elements)
        default:  // REDIS_REPLY_NIL (and nothing else exists in RESP2)
            self = .null
        }
    }

    private static func bytes(_ reply: redisReply) -> [UInt8] {
        guard let str = reply.str, reply.len > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: str, count: reply.len))
    }
}
