import BotCore

/// Log lines go to Slack: anything that looks like a credential is masked first.
/// Two layers: `SecretRedactor` (configured secret values, bearer/basic credentials, `password=`/`token:`/`secret`
/// key-values, Slack tokens, URL passwords) and, per line, shapes it does not cover (a bare `Authorization:` header,
/// private-key blocks, AWS access keys, JWTs, `client_secret`/`private_key` style keys).
package struct KubernetesLogRedaction: Sendable {
    private let redactor: SecretRedactor

    /// `secrets`: exact values never to show (the bot's own token among them).
    package init(secrets: [String]) {
        redactor = SecretRedactor(secrets: secrets)
    }

    /// Key markers after which the rest of the line is a credential.
    private static let markers = [
        "authorization:", "authorization=", "x-api-key:", "x-api-key=", "api-key:", "api-key=", "cookie:", "set-cookie:",
        "private_key", "privatekey", "client_secret", "secret_key", "access_key", "credentials", "passwd", "password",
        "-----begin",
    ]

    package func redact(_ line: String) -> String {
        var out = redactor.redact(line)
        let lower = out.lowercased()
        if let marker = Self.markers.compactMap({ lower.range(of: $0) }).min(by: { $0.lowerBound < $1.lowerBound }),
           lower.count == out.count {
            // Keep the key so the operator sees what was there; mask every non-space character after it.
            let cut = out.index(out.startIndex, offsetBy: lower.distance(from: lower.startIndex, to: marker.upperBound))
            let tail = out[cut...]
            if tail.contains(where: { !$0.isWhitespace && $0 != ":" && $0 != "=" && $0 != "\"" }) && !tail.contains(SecretRedactor.mask) {
                out = String(out[..<cut]) + " " + SecretRedactor.mask
            }
        }
        return Self.maskWords(out)
    }

    /// Whole words shaped like AWS access key ids (`AKIA…`) or JWTs (`eyJ….….…`).
    private static func maskWords(_ line: String) -> String {
        guard line.contains("AKIA") || line.contains("ASIA") || line.contains("eyJ") else { return line }
        var out = ""
        var word = ""
        func flush() {
            out += looksSecret(word) ? SecretRedactor.mask : word
            word = ""
        }
        for ch in line {
            if ch.isLetter || ch.isNumber || ch == "." || ch == "_" || ch == "-" {
                word.append(ch)
            } else {
                flush()
                out.append(ch)
            }
        }
        flush()
        return out
    }

    private static func looksSecret(_ word: String) -> Bool {
        if (word.hasPrefix("AKIA") || word.hasPrefix("ASIA")) && word.count == 20
            && word.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) {
            return true
        }
        return word.hasPrefix("eyJ") && word.split(separator: ".").count == 3 && word.count >= 30
    }
}
