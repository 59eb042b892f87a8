/// Rejects requests that libcurl would happily turn into malformed or smuggled HTTP.
enum RequestValidation {
    static func validate(_ request: HTTPRequest, safeURL: String) throws(HTTPClientError) {
        guard !request.method.isEmpty, request.method.utf8.allSatisfy(isTokenByte) else {
            throw .invalidRequest(url: safeURL, detail: "method is not a valid HTTP token")
        }
        guard !request.url.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw .invalidURL(url: safeURL, detail: "URL contains whitespace or control characters")
        }
        for (name, value) in request.headers {
            guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else {
                // The name is a token we just rejected: do not echo it, it may be a pasted secret.
                throw .invalidRequest(url: safeURL, detail: "a header name is not a valid HTTP token")
            }
            guard !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw .invalidRequest(url: safeURL, detail: "value of header \(name) contains CR, LF or NUL")
            }
        }
        guard request.maxResponseBytes >= 0 else {
            throw .invalidRequest(url: safeURL, detail: "maxResponseBytes is negative")
        }
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
