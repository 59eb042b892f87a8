import Actions
import Testing

@Suite struct ActionCatalogTests {
    /// `check` validates plugin files against `names`; `serve` runs `actions`: they must never drift apart.
    @Test func namesAreExactlyTheBuiltActions() {
        let built = ActionCatalog.make(settings: [:], http: sharedHTTP).names
        #expect(built == ActionCatalog.names)
    }

    @Test func readOnlyActionsAreTheOnesThatOnlyRead() {
        let registry = ActionCatalog.make(settings: [:], http: sharedHTTP)
        let writers = ActionCatalog.names.filter { registry[$0]?.readOnly == false }
        #expect(writers.allSatisfy { name in
            ["scale", "flush", "delete", "post", "terminate", "create", "patch", "restart", "bypass", "exec"].contains { name.contains($0) }
        }, "\(writers.sorted())")
    }
}
