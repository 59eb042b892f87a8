import ArgumentParser
import BotConfig
import Foundation
import HTTPDriver
import PagerDuty

extension SayCommand {
    /// The local trial's webhook secret (written by `make run`), used when PAGERDUTY_WEBHOOK_SECRETS is not set here.
    static let localPagerDutySecretFile = "./data/local-pagerduty-secret"

    /// POSTs `file` to /pagerduty/webhooks exactly as PagerDuty would: `X-PagerDuty-Signature: v1=…` over the raw
    /// bytes with the first configured secret, a fresh `X-Webhook-Id`; prints the status.
    static func sendPagerDuty(file: String, config: BotConfiguration, listen: (host: String, port: Int)) async throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw fail("cannot read \(file)") }
        let configured = PagerDutyWiring.webhookSecrets(config).first
        let local = FileManager.default.contents(atPath: localPagerDutySecretFile)
            .map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
        guard let secret = configured ?? local.flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw fail("PAGERDUTY_WEBHOOK_SECRETS is not set (and there is no \(localPagerDutySecretFile) from `make run`)")
        }
        let body = Array(data)
        let host = listen.host.contains(":") ? "[\(listen.host)]" : (listen.host == "0.0.0.0" ? "127.0.0.1" : listen.host)
        let url = "http://\(host):\(listen.port)/pagerduty/webhooks"
        let webhookID = UUID().uuidString.lowercased()
        let http = HTTPClient(threads: 1)
        defer { Task { await http.shutdown() } }
        let request = HTTPRequest(
            method: "POST", url: url,
            headers: [("Content-Type", "application/json"), ("User-Agent", "PagerDuty-Webhook/V3.0"), ("X-Webhook-Id", webhookID),
                      ("X-PagerDuty-Signature", PagerDutySignature.sign(body: body, secret: secret))],
            body: body, timeout: .seconds(5))
        print("→ PagerDuty webhook \(file)   (X-Webhook-Id \(webhookID), to \(url))")
        let response: HTTPResponse
        do {
            response = try await http.execute(request)
        } catch {
            throw fail("the bot did not answer at \(url): \(error). Is `hybridbot serve` (or `make run`) running?")
        }
        print("status \(response.status): " + String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        guard (200..<300).contains(response.status) else { throw ExitCode(1) }
    }
}
