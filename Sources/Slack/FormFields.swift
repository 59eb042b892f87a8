import BotCore

/// `application/x-www-form-urlencoded` as Slack sends it, parsed byte by byte (Hummingbird's generic decoder was
/// a fifth of the CPU of an ack under bench/ack.sh). A malformed body or a repeated field is refused, not guessed.
package enum FormFields {
    package static func parse(_ body: [UInt8]) -> [String: String]? {
        var fields: [String: String] = [:]
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), !name.isEmpty else { return nil }
            let value = parts.count > 1 ? decode(parts[1]) : ""
            guard let value, fields[name] == nil else { return nil }
            fields[name] = value
        }
        return fields
    }

    /// The body Slack would send for these fields (what `hybridbot say` and the tests post).
    package static func encode(_ fields: [(String, String)]) -> String {
        fields.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    /// Percent-encoding of everything but RFC 3986's unreserved characters (form values, query parameters).
    package static func escape(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + Hex.encode([byte]).uppercased()
            }
        }
        return out
    }

    /// Percent-decoding with `+` as space; nil on a broken escape or invalid UTF-8.
    static func decode(_ bytes: ArraySlice<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            if b == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if b == UInt8(ascii: "%") {
                guard i + 2 < bytes.endIndex, let hi = hex(bytes[i + 1]), let lo = hex(bytes[i + 2])
                else { return nil }
                out.append(hi << 4 | lo)
                i += 2
            } else {
                out.append(b)
            }
            i += 1
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension SlashCommand {
    /// From Slack's form fields; nil when a required field is missing.
    package init?(fields f: [String: String]) {
        guard let channel = f["channel_id"], let user = f["user_id"], let command = f["command"],
              let responseURL = f["response_url"], let trigger = f["trigger_id"]
        else { return nil }
        self.init(channelID: channel, userID: user, command: command, text: f["text"] ?? "", responseURL: responseURL,
                  triggerID: trigger, teamID: f["team_id"], userName: f["user_name"], channelName: f["channel_name"])
        teamDomain = f["team_domain"]
        enterpriseID = f["enterprise_id"]
        apiAppID = f["api_app_id"]
    }
}
