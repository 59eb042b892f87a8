/// The small formats of permissions.yaml: Slack ids, durations, command globs, emails.
enum PermissionsFormats {
    /// A Slack user id (`U…`, or `W…` on Enterprise Grid): uppercase letters and digits.
    static func isUserID(_ s: String) -> Bool { isSlackID(s, prefixes: "UW") }

    /// A Slack user group id (`S…`).
    static func isGroupID(_ s: String) -> Bool { isSlackID(s, prefixes: "S") }

    /// A Slack channel id: public `C…`, private `G…`, direct message `D…`.
    static func isChannelID(_ s: String) -> Bool { isSlackID(s, prefixes: "CGD") }

    private static func isSlackID(_ s: String, prefixes: String) -> Bool {
        guard let first = s.unicodeScalars.first, prefixes.unicodeScalars.contains(first), (2...32).contains(s.utf8.count) else {
            return false
        }
        return s.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }

    /// `30s`, `15m`, `1h`, `2h30m`, `1h0m30s`: hours, minutes, seconds in that order, each at most once; more than zero.
    static func duration(_ s: String) -> Duration? {
        let units: [(unit: Character, seconds: Int64)] = [("h", 3600), ("m", 60), ("s", 1)]
        var next = 0
        var total: Int64 = 0
        var digits = ""
        for ch in s {
            if ch.isASCII, ch.isNumber {
                digits.append(ch)
                guard digits.count <= 6 else { return nil }
                continue
            }
            guard let index = units[next...].firstIndex(where: { $0.unit == ch }), let value = Int64(digits) else { return nil }
            total += value * units[index].seconds
            next = index + 1
            digits = ""
        }
        guard next > 0, digits.isEmpty, total > 0 else { return nil }
        return .seconds(total)
    }

    /// A glob over command words: words of `a-z 0-9 - _` and `*`, separated by single spaces (`scale *`, `db term*`).
    static func isGlob(_ s: String) -> Bool {
        let words = s.split(separator: " ", omittingEmptySubsequences: false)
        return !words.isEmpty && words.allSatisfy { word in
            !word.isEmpty && word.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_*".unicodeScalars.contains($0)
            }
        }
    }

    /// Something that looks like an email address: `local@domain`, no spaces.
    static func isEmail(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && !s.contains(where: \.isWhitespace)
    }

    /// A role name: letters, digits, `-` and `_`.
    static func isRoleName(_ s: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
    }
}
