import Hummingbird
import Slack

/// A Slack request whose signature was checked over these exact bytes.
package struct VerifiedSlackRequest: Sendable {
    package let body: [UInt8]
    package let timestamp: Int64
}

/// The context every request starts with. Only `SlackVerificationMiddleware` sets `verifiedSlack`.
package struct HybridRequestContext: RequestContext {
    package var coreContext: CoreRequestContextStorage
    package var verifiedSlack: VerifiedSlackRequest?
    /// Set only by `PagerDutyVerificationMiddleware`.
    package var verifiedPagerDuty: VerifiedPagerDutyRequest?

    package init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        verifiedSlack = nil
        verifiedPagerDuty = nil
    }

    package var maxUploadSize: Int { ListenerLimits.maxBodyBytes }
}

/// The context of handlers behind the Slack signature check: it cannot exist without a verified body.
package struct SlackRequestContext: ChildRequestContext {
    package var coreContext: CoreRequestContextStorage
    package let verified: VerifiedSlackRequest

    package init(context: HybridRequestContext) throws {
        guard let verified = context.verifiedSlack else { throw HTTPError(.unauthorized) }
        self.coreContext = context.coreContext
        self.verified = verified
    }

    package var maxUploadSize: Int { ListenerLimits.maxBodyBytes }
}

package enum ListenerLimits {
    /// Slack's own payloads are a few KiB; anything near this is not Slack.
    package static let maxBodyBytes = 64 * 1024
}
