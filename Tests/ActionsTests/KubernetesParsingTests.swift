import Actions
import Foundation
import Testing

@Suite("Kubernetes input checks and quantities")
struct KubernetesParsingTests {
    @Test("valid label selectors keep their terms", arguments: [
        ("app=guardrail-engine", "app=guardrail-engine"),
        ("app==x", "app=x"),
        ("app=specialized-models,model=earnings", "app=specialized-models,model=earnings"),
        ("app.kubernetes.io/name=api-gateway", "app.kubernetes.io/name=api-gateway"),
        ("tier!=cache", "tier!=cache"),
        ("job-name=restore-abc_1.x", "job-name=restore-abc_1.x"),
    ])
    func validSelectors(text: String, canonical: String) throws {
        let selector = try #require(LabelSelector(text))
        #expect(selector.description == canonical)
    }

    @Test("hostile or malformed selectors are refused", arguments: [
        "app=x&watch=true", "app = x", "app=x y", "app=x\nwatch=true", "../../etc=x", "app=..", "a..b=c", "app=",
        "app", "", "app=x,", ",app=x", "app=x=y", "app=x;rm", "app=%3D", "a/b/c=x", "/app=x", "app=-x", "app=x#frag",
        "app in (a,b)", "!app", "app=\u{00e9}",
    ])
    func hostileSelectors(text: String) {
        #expect(LabelSelector(text) == nil)
    }

    @Test("selector matching is equality-based")
    func matching() throws {
        let selector = try #require(LabelSelector("app=x,tier!=cache"))
        #expect(selector.matches(["app": "x", "tier": "web"]))
        #expect(!selector.matches(["app": "x", "tier": "cache"]))
        #expect(!selector.matches(["app": "y"]))
    }

    @Test("object names are DNS-1123", arguments: [
        ("api-gateway", true), ("postgresql-replica", true), ("a.b", true), ("0abc", true),
        ("API", false), ("-a", false), ("a-", false), ("a..b", false), ("a/b", false), ("", false), ("a b", false),
        (String(repeating: "a", count: 254), false),
    ])
    func names(name: String, valid: Bool) {
        #expect(KubernetesNames.isValidName(name) == valid)
    }

    @Test("template values", arguments: [
        ("backup_2024_01_15.sql", true), ("hybrid_ai_recovery", true), ("s3://bucket/path/x.sql", true), ("10:30", true),
        ("a b", false), ("$(rm)", false), ("x;y", false), ("../etc/passwd", false), ("{{other}}", false), ("", false),
        ("\"quoted\"", false),
    ])
    func templateValues(value: String, valid: Bool) {
        #expect(KubernetesNames.isValidTemplateValue(value) == valid)
    }

    @Test("CPU quantities in cores", arguments: [
        ("250m", 0.25), ("1", 1.0), ("1500000n", 0.0015), ("100u", 0.0001), ("0.5", 0.5), ("2", 2.0), ("1e3", 1000.0),
        ("2k", 2000.0),
    ])
    func cpu(text: String, cores: Double) throws {
        let quantity = try #require(KubernetesQuantity(text))
        #expect(abs(quantity.value - cores) < 1e-9)
    }

    @Test("memory quantities in bytes", arguments: [
        ("512Mi", 536_870_912.0), ("1Gi", 1_073_741_824.0), ("1048576Ki", 1_073_741_824.0), ("128974848", 128_974_848.0),
        ("129M", 129_000_000.0), ("1.5Gi", 1_610_612_736.0), ("2Ti", 2_199_023_255_552.0),
    ])
    func memory(text: String, bytes: Double) throws {
        let quantity = try #require(KubernetesQuantity(text))
        #expect(quantity.value == bytes)
    }

    @Test("not quantities", arguments: ["", "Gi", "-1", "1.2.3", "abc", "1 Gi", "1Gib", "1e", "0x10", "1e99"])
    func notQuantities(text: String) {
        #expect(KubernetesQuantity(text) == nil)
    }

    @Test("display: millicores and binary memory units")
    func display() throws {
        #expect(try #require(KubernetesQuantity("1500000n")).cpuDescription == "2m")
        #expect(try #require(KubernetesQuantity("1")).cpuDescription == "1000m")
        #expect(try #require(KubernetesQuantity("524288Ki")).memoryDescription == "512Mi")
        #expect(try #require(KubernetesQuantity("1.5Gi")).memoryDescription == "1.5Gi")
        #expect(try #require(KubernetesQuantity("999")).memoryDescription == "999B")
    }

    @Test("memory requests are half the limit, in a unit that keeps them exact", arguments: [
        ("8Gi", "4Gi"), ("3Gi", "1536Mi"), ("1Gi", "512Mi"), ("512Mi", "256Mi"), ("1G", "500M"), ("16Gi", "8Gi"),
    ])
    func half(limit: String, request: String) {
        #expect(KubernetesQuantity.half(ofMemory: limit) == request)
    }

    @Test("memory limits an operator may set", arguments: [
        ("8Gi", true), ("512Mi", true), ("1G", true), ("100Ki", false), ("1.5Gi", false), ("32Ti", false), ("8gi", false),
        ("-8Gi", false), ("8Gi;", false), ("250m", false),
    ])
    func memoryLimits(text: String, valid: Bool) {
        #expect((KubernetesQuantity.memoryLimit(text) != nil) == valid)
    }
}
