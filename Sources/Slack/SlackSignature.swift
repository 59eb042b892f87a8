import BotCore
import Crypto
import Foundation

/// Slack's request signing: `v0=` + hex HMAC-SHA256(secret, "v0:{timestamp}:{raw body}").
package struct SlackSignature: Sendable {
    /// Requests older or newer than this are replays or clock trouble.
    package static let window: Int64 = 300

    // Raw bytes, not a SymmetricKey: swift-crypto's key type is not Sendable on Linux.
    private let secret: [UInt8]

    package init(secret: String) {
        self.secret = Array(secret.utf8)
    }

    package enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case missingHeaders
        case malformedTimestamp
        case stale(skewSeconds: Int64)
        case mismatch

        package var description: String {
            switch self {
            case .missingHeaders: "missing X-Slack-Request-Timestamp or X-Slack-Signature"
            case .malformedTimestamp: "X-Slack-Request-Timestamp is not a number"
            case .stale(let skew): "timestamp is \(skew) s away from now (limit \(SlackSignature.window) s)"
            case .mismatch: "signature does not match"
            }
        }
    }

    package func signature(timestamp: String, body: some Sequence<UInt8>) -> String {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: secret))
        mac.update(data: Array("v0:\(timestamp):".utf8))
        mac.update(data: Array(body))
        return "v0=" + Hex.encode(mac.finalize())
    }

    /// Verifies over the raw bytes, before anything parses them.
    package func verify(timestamp: String?, signature: String?, body: [UInt8], now: Int64) -> Result<Void, Failure> {
        guard let timestamp, let signature, !timestamp.isEmpty, !signature.isEmpty else { return .failure(.missingHeaders) }
        guard timestamp.utf8.count <= 12, let ts = Int64(timestamp) else { return .failure(.malformedTimestamp) }
        let skew = now - ts
        guard abs(skew) <= Self.window else { return .failure(.stale(skewSeconds: skew)) }
        let expected = Array(self.signature(timestamp: timestamp, body: body).utf8)
        guard Self.constantTimeEquals(expected, Array(signature.utf8)) else { return .failure(.mismatch) }
        return .success(())
    }

    /// Equal-length comparison that always looks at every byte.
    package static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
