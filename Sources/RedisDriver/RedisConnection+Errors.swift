import CHiredis
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension RedisConnection {
    /// Maps `redisContext.err`/`errstr` (plus the `errno` saved right after the failing call) to an
    /// operator-safe ``RedisError``. hiredis builds `errstr` from `strerror`, which is the fallback
    /// when `errno` was overwritten by cleanup code.
    func mapContextError(_ context: UnsafeMutablePointer<redisContext>, errno savedErrno: Int32) -> Failure {
        let endpoint = configuration.url.endpoint
        let message = RedisRedaction.redact(Self.errorString(context), password: configuration.url.password)
        let lowered = message.lowercased()
        switch context.pointee.err {
        case REDIS_ERR_IO:
            if savedErrno == ECONNREFUSED || lowered.contains("connection refused") {
                return Failure(error: .connectionRefused(endpoint), retryable: false)
            }
            if [EAGAIN, EWOULDBLOCK, ETIMEDOUT].contains(savedErrno)
                || lowered.contains("resource temporarily unavailable") || lowered.contains("timed out") {
                return Failure(error: .timeout(endpoint, after: configuration.timeout), retryable: false)
            }
            if [ECONNRESET, EPIPE, ENOTCONN, ECONNABORTED].contains(savedErrno)
                || lowered.contains("connection reset") || lowered.contains("broken pipe") {
                return Failure(error: .connectionClosed(endpoint, detail: message), retryable: true)
            }
            return Failure(error: .other("I/O error talking to Redis at \(endpoint): \(message)"), retryable: false)
        case REDIS_ERR_EOF:
            return Failure(error: .connectionClosed(endpoint, detail: nil), retryable: true)
        case REDIS_ERR_PROTOCOL:
            return Failure(error: .protocolError(endpoint, detail: message), retryable: false)
        case REDIS_ERR_OOM:
            return Failure(error: .other("Redis client at \(endpoint) ran out of memory"), retryable: false)
        default:  // REDIS_ERR_OTHER: e.g. the host name does not resolve
            return Failure(error: .other("Cannot connect to Redis at \(endpoint): \(message)"), retryable: false)
        }
    }

    private static func errorString(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { bytes in
            let text = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            return text.isEmpty ? "unknown error" : text
        }
    }
}
