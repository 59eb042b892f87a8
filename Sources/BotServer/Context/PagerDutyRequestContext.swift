import Hummingbird

/// A PagerDuty delivery whose `X-PagerDuty-Signature` matched one of the configured secrets over these exact bytes.
package struct VerifiedPagerDutyRequest: Sendable {
    package let body: [UInt8]
    /// `X-Webhook-Id`: PagerDuty's delivery id, the same on every retry of one delivery.
    package let webhookID: String?
}

/// The context of handlers behind the PagerDuty signature check: it cannot exist without a verified body.
package struct PagerDutyRequestContext: ChildRequestContext {
    package var coreContext: CoreRequestContextStorage
    package let verified: VerifiedPagerDutyRequest

    package init(context: HybridRequestContext) throws {
        guard let verified = context.verifiedPagerDuty else { throw HTTPError(.unauthorized) }
        self.coreContext = context.coreContext
        self.verified = verified
    }

    package var maxUploadSize: Int { PagerDutyLimits.maxBodyBytes }
}

package enum PagerDutyLimits {
    /// PagerDuty v3 payloads carry one incident (a few KiB); a body past this is refused with 413 before hashing.
    package static let maxBodyBytes = 256 * 1024
}
