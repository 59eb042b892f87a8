import Testing
@testable import Actions

@Suite struct ActionsModuleTests {
    @Test func registryFindsActionsByName() {
        let registry = ActionRegistry([])
        #expect(registry.names.isEmpty)
    }
}
