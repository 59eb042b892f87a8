/// Operator-safe rendering of request URLs and messages.
package enum RedactedURL {
    /// `scheme://host[:port]/path` — userinfo (`user:password@`), query and fragment removed.
    /// Anything that does not look like `scheme://…` is not echoed at all.
    package static func render(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return "<unparseable URL>" }
        let scheme = url[..<schemeEnd.lowerBound]
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }) else {
            return "<unparseable URL>"
        }
        let rest = url[schemeEnd.upperBound...]
        let cut = rest.firstIndex { $0 == "?" || $0 == "#" } ?? rest.endIndex
        let beforeQuery = rest[..<cut]
        let authorityEnd = beforeQuery.firstIndex(of: "/") ?? beforeQuery.endIndex
        var authority = beforeQuery[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") {
            authority = authority[authority.index(after: at)...]
        }
        let path = beforeQuery[authorityEnd...]
        return "\(scheme.lowercased())://\(authority)\(path)"
    }

    /// The parts of `url` that must never appear in a message: userinfo, password, query/fragment.
    static func secrets(of url: String) -> [String] {
        var found: [String] = []
        if let schemeEnd = url.range(of: "://") {
            let rest = url[schemeEnd.upperBound...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@") {
                let userinfo = authority[..<at]
                found.append(String(userinfo))
                if let colon = userinfo.firstIndex(of: ":") {
                    found.append(String(userinfo[userinfo.index(after: colon)...]))
                }
            }
        }
        if let query = url.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            found.append(String(url[url.index(after: query)...]))
        }
        return found.filter { $0.count >= 3 }
    }

    /// Replaces every occurrence of each secret in `text` with `[redacted]`.
    static func scrub(_ text: String, secrets: [String]) -> String {
        var result = text
        for secret in secrets.sorted(by: { $0.count > $1.count }) where !secret.isEmpty {
            result = result.replacing(secret, with: "[redacted]")
        }
        return result
    }
}
