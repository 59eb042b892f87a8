import Testing
@testable import PagerDuty

@Suite struct PagerDutyModuleTests {
    @Test func moduleLinks() { _ = PagerDutyModule.self }
}
