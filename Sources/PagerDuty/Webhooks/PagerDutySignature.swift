import Foundation
import BotCore
import Crypto

/// PagerDuty v3 webhook signing: `X-PagerDuty-Signature: v1=<hex HMAC-SHA256(secret, raw body)>[, v1=…]`.
///
/// During a secret rotation PagerDuty sends one `v1=` value per secret, and we may hold several
/// secrets (`PAGERDUTY_WEBHOOK_SECRETS`): any match of any pair is accepted. There is no timestamp,
/// so replays are caught by deduplicating on `X-Webhook-Id`, not here.
package enum PagerDutySignature {
    /// Header values longer than this are not worth hashing (a handful of 67-byte signatures).
    static let maxHeaderBytes = 4096

    /// `v1=` + lowercase hex HMAC-SHA256(secret, body): what PagerDuty sends for one secret.
    package static func sign(body: [UInt8], secret: String) -> String {
        "v1=" + Hex.encode(digest(body: body, secret: secret))
    }

    /// True when any `v1=` signature in `header` matches the body under any of `secrets`.
    /// Missing or empty header, no (non-empty) secrets, or no `v1=` value → false.
    package static func verify(body: [UInt8], header: String?, secrets: [String]) -> Bool {
        guard let header, header.utf8.count <= maxHeaderBytes else { return false }
        let offered = signatures(in: header)
        let keys = secrets.filter { !$0.isEmpty }
        guard !offered.isEmpty, !keys.isEmpty else { return false }
        var matched = false
        // Every secret is hashed and every candidate compared, so timing says nothing about which matched.
        for secret in keys {
            let expected = Array(Hex.encode(digest(body: body, secret: secret)).utf8)
            for candidate in offered where constantTimeEquals(expected, candidate) {
                matched = true
            }
        }
        return matched
    }

    /// The hex parts of the comma-separated `v1=` values, trimmed and lowercased; other schemes are skipped.
    static func signatures(in header: String) -> [[UInt8]] {
        header.split(separator: ",").compactMap { part in
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("v1=") else { return nil }
            let hex = trimmed.dropFirst(3).trimmingCharacters(in: .whitespaces).lowercased()
            return hex.isEmpty ? nil : Array(hex.utf8)
        }
    }

    static func digest(body: [UInt8], secret: String) -> HMAC<SHA256>.MAC {
        HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
    }

    /// Equal-length comparison that always looks at every byte.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
