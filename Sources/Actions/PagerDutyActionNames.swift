/// The PagerDuty actions a plugin step may name. They are built by the Engine (they need the PagerDuty clients, the
/// identities of permissions.yaml and the store); their names live here so `check` can validate plugin files.
package enum PagerDutyActionNames {
    package static let list = "pagerduty.list"
    package static let acknowledge = "pagerduty.acknowledge"
    package static let resolve = "pagerduty.resolve"
    package static let declare = "pagerduty.declare"
    package static let report = "pagerduty.report"

    package static let all: Set<String> = [list, acknowledge, resolve, declare, report]
}
