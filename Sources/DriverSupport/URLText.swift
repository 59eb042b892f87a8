/// Why a piece of a connection URL is not usable; each driver wraps it in its own error type.
package struct URLTextProblem: Error, Sendable {
    package let message: String
}

/// The pieces of connection-URL parsing the drivers share (`redis://`, `postgresql://`): strict, byte-level, and never
/// echoing a secret in a problem message.
package enum URLText {
    /// Percent-decodes one component; malformed escapes and invalid UTF-8 are problems (named by `what`).
    package static func percentDecoded(_ text: Substring, what: String) throws(URLTextProblem) -> String {
        var bytes: [UInt8] = []
        var utf8 = text.utf8[...]
        while let byte = utf8.popFirst() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = utf8.popFirst().flatMap(hexValue), let low = utf8.popFirst().flatMap(hexValue) else {
                throw URLTextProblem(message: "invalid percent-encoding in the \(what)")
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw URLTextProblem(message: "the \(what) is not valid UTF-8 after percent-decoding")
        }
        return decoded
    }

    /// `host[:port]` or `[ipv6][:port]`; the host limited to host-name characters, the port to 1…65535.
    package static func hostAndPort(
        _ authority: Substring, defaultPort: Int, requireHost: Bool
    ) throws(URLTextProblem) -> (host: String, port: Int) {
        var host: Substring
        var portText: Substring?
        let bracketed = authority.hasPrefix("[")
        if bracketed {
            guard let close = authority.firstIndex(of: "]") else {
                throw URLTextProblem(message: "unterminated IPv6 address (missing ']')")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw URLTextProblem(message: "unexpected text after the IPv6 address") }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        if requireHost && host.isEmpty { throw URLTextProblem(message: "missing host") }
        let punctuation = bracketed ? ":.%" : "-._"
        guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || punctuation.contains($0)) }) else {
            throw URLTextProblem(message: "the host contains characters that are not allowed in a host name")
        }
        var port = defaultPort
        if let portText {
            guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(portText), (1...65_535).contains(value) else {
                throw URLTextProblem(message: "the port must be a number from 1 to 65535")
            }
            port = value
        }
        return (String(host), port)
    }

    /// A scheme worth quoting back in a message (short, letters/digits/`+.-`): anything else is not echoed.
    package static func isSafeScheme(_ scheme: String) -> Bool {
        guard let first = scheme.first, first.isLetter, scheme.count <= 12 else { return false }
        return scheme.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+.-".contains($0)) }
    }

    /// `text` without leading and trailing whitespace.
    package static func trimmingWhitespace(_ text: String) -> Substring {
        let trimmedStart = text.drop(while: \.isWhitespace)
        var end = trimmedStart.endIndex
        while end > trimmedStart.startIndex, trimmedStart[trimmedStart.index(before: end)].isWhitespace {
            end = trimmedStart.index(before: end)
        }
        return trimmedStart[..<end]
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// Durations in driver messages: "300ms", "2s", "1.5s".
package enum DurationText {
    package static func short(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if milliseconds < 1000 || milliseconds % 100 != 0 { return "\(milliseconds)ms" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(milliseconds / 1000).\(milliseconds % 1000 / 100)s"
    }
}
