/// Removes secrets from any text before it is logged, audited or sent to Slack.
///
/// Two layers: the exact values of configured secrets (tokens, passwords, signing secrets),
/// and shapes that are secrets whatever their value (Slack tokens, bearer credentials, URL passwords).
package struct SecretRedactor: Sendable {
    package static let mask = "[REDACTED]"
    private let values: [String]
    private let valueBytes: [[UInt8]]

    /// Values shorter than 6 characters are ignored: redacting "abc" everywhere would garble text and leak length.
    package init(secrets: [String]) {
        values = Array(Set(secrets.filter { $0.count >= 6 })).sorted { $0.count > $1.count }
        valueBytes = values.map { Array($0.utf8) }
    }

    package static let none = SecretRedactor(secrets: [])

    package func redact(_ text: String) -> String {
        var out = text
        let bytes = Array(text.utf8)
        for (value, needle) in zip(values, valueBytes) where Self.contains(bytes, needle) {
            out = out.replacing(value, with: Self.mask)
        }
        return Self.redactShapes(out)
    }

    // Compiled once: a regex literal is parsed again every time it is evaluated, which made redaction the hottest
    // path of a request (measured with perf under bench/ack.sh).
    // nonisolated(unsafe): these are immutable `let`s; Regex is not marked Sendable, but matching only reads the
    // program, which the standard library initializes once with an atomic compare-and-swap.
    nonisolated(unsafe) private static let slackToken = /(xox[a-z]|xapp)-[A-Za-z0-9-]{6,}/
    nonisolated(unsafe) private static let slackURL = /(hooks\.slack\.com\/(?:commands|actions|services|triggers|workflows))\/[^\s"']+/
    nonisolated(unsafe) private static let authorization = /(?i)(bearer|token token=|basic)\s+[A-Za-z0-9._~+\/=-]{6,}/
    nonisolated(unsafe) private static let urlPassword = /([a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\/\s:@]*):[^\/\s]+@/
    nonisolated(unsafe) private static let keyValue = /(?i)((?:password|passwd|secret|token|api_key|apikey)["']?\s*[=:]\s*)(?:"([^"\n]{4,})"|'([^'\n]{4,})'|([^\s"'&,}]{4,}))/

    private static func redactShapes(_ text: String) -> String {
        var out = text
        let lower = text.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }  // ASCII lowercase is enough for the tells
        func has(_ tell: StaticString) -> Bool {
            contains(lower, Array(UnsafeBufferPointer(start: tell.utf8Start, count: tell.utf8CodeUnitCount)))
        }
        // Each shape is only searched for when its tell-tale substring is there: most text has none.
        if has("xox") || has("xapp") {
            out = out.replacing(slackToken, with: { _ in mask })
        }
        if has("hooks.slack.com") {
            out = out.replacing(slackURL, with: { m in String(m.output.1) + "/" + mask })
        }
        if has("bearer") || has("token") || has("basic") {
            out = out.replacing(authorization, with: { m in String(m.output.1) + " " + mask })
        }
        if has("://") && has("@") {
            out = out.replacing(urlPassword, with: { m in String(m.output.1) + ":" + mask + "@" })
        }
        if has("passw") || has("passwd") || has("secret") || has("token") || has("api_key") || has("apikey") {
            out = out.replacing(keyValue, with: { m in
                let quote = m.output.2 != nil ? "\"" : m.output.3 != nil ? "'" : ""
                return String(m.output.1) + quote + mask + quote
            })
        }
        return out
    }

    /// Byte substring search (Foundation's `contains` was a measurable share of a request).
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return needle.isEmpty }
        let first = needle[0]
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < needle.count && haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }
}
