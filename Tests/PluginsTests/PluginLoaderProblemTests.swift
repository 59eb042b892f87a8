import BotCore
import Foundation
import Plugins
import Testing

/// One broken plugin folder layout and the exact problems it must produce.
struct PluginCase: Sendable, CustomTestStringConvertible {
    let name: String
    /// Folder name → plugin.yaml text.
    let files: [(folder: String, yaml: String)]
    /// Each problem's `file:line: message`, in order (a prefix is enough for YAML syntax errors).
    let expected: [String]

    var testDescription: String { name }

    init(_ name: String, _ files: [(folder: String, yaml: String)], _ expected: [String]) {
        self.name = name
        self.files = files
        self.expected = expected
    }

    init(_ name: String, _ yaml: String, _ expected: [String]) {
        self.init(name, [(folder: "ops", yaml: yaml)], expected)
    }
}

/// A valid command, to be placed at lines 4–10 of a file starting with name/runbook/commands.
private let scaleCommand = """
      - pattern: "scale {deployment} {replicas}"
        summary: Scale a deployment
        args:
          deployment: { one_of: [api, web] }
          replicas: { int: { min: 1, max: 50 } }
        steps:
          - kubernetes.scale: { deployment: "{deployment}", replicas: "{replicas}" }
    """

private func plugin(_ commands: String, name: String = "ops") -> String {
    "name: \(name)\nrunbook: Ops runbook\ncommands:\n" + commands + "\n"
}

private let flush = "cache flush"
private let file = "plugins/ops/plugin.yaml"

private let cases: [PluginCase] = [
    PluginCase("broken YAML syntax", "name: ops\nrunbook: [unclosed\ncommands: []\n",
               ["\(file):3: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 2)"]),
    PluginCase("tab-indented YAML", "name: ops\nrunbook: r\ncommands:\n\t- pattern: x\n",
               ["\(file):4: invalid YAML: found character that cannot start any token"]),
    PluginCase("duplicate YAML key", "name: ops\nname: ops\nrunbook: r\ncommands: []\n",
               ["\(file):1: duplicate key 'name' in a mapping"]),
    PluginCase("empty file", "# nothing here\n", ["\(file):0: file is empty"]),
    PluginCase("top level is a list", "- name: ops\n", ["\(file):1: plugin.yaml must be a mapping"]),
    PluginCase("unknown top-level key", "name: ops\nrunbook: r\nowner: me\ncommands:\n" + scaleCommand + "\n",
               ["\(file):3: unknown key 'owner' in plugin.yaml (expected 'name', 'runbook', 'commands')"]),
    PluginCase("missing runbook and commands", "name: ops\n", [
        "\(file):1: plugin.yaml is missing required key 'runbook'",
        "\(file):1: plugin.yaml is missing required key 'commands'",
    ]),
    PluginCase("name differs from folder", plugin(scaleCommand, name: "opz"),
               ["\(file):1: name 'opz' must equal the folder name 'ops'"]),
    PluginCase("unknown command key", plugin("  - pattern: \(flush)\n    summary: s\n    destructve: true\n    steps: [{redis.flushdb: {}}]"),
               ["\(file):6: unknown key 'destructve' in command (expected 'pattern', 'summary', 'args', 'destructive', 'preview', 'steps', 'verify', 'revert', 'cancels')"]),
    PluginCase("missing summary", plugin("  - pattern: \(flush)\n    steps: [{redis.flushdb: {}}]"),
               ["\(file):4: command is missing required key 'summary'"]),
    PluginCase("destructive is not a bool", plugin("  - pattern: \(flush)\n    summary: s\n    destructive: maybe\n    steps: [{redis.flushdb: {}}]"),
               ["\(file):6: 'destructive' must be true or false"]),
    PluginCase("bad pattern", plugin(scaleCommand.replacingOccurrences(of: "\"scale", with: "\"Scale")), [
        "\(file):4: invalid pattern 'Scale {deployment} {replicas}': 'Scale' is not a plain lowercase word (a-z, 0-9, -, _)",
    ]),
    PluginCase("arg not in pattern", plugin(scaleCommand.replacingOccurrences(of: "replicas: { int", with: "replica: { int")), [
        "\(file):8: argument 'replica' is not in the pattern 'scale {deployment} {replicas}' (it has 'deployment', 'replicas')",
    ]),
    PluginCase("unknown arg type key", plugin(scaleCommand.replacingOccurrences(of: "{ int:", with: "{ integer:")), [
        "\(file):8: unknown key 'integer' in argument 'replicas' (expected 'int', 'one_of', 'pattern')",
    ]),
    PluginCase("unknown int key", plugin(scaleCommand.replacingOccurrences(of: "max: 50", with: "maximum: 50")), [
        "\(file):8: unknown key 'maximum' in int of argument 'replicas' (expected 'min', 'max')",
    ]),
    PluginCase("two arg types", plugin(scaleCommand.replacingOccurrences(of: "{ int: { min: 1, max: 50 } }", with: "{ int: {}, one_of: [a] }")), [
        "\(file):8: argument 'replicas' must have exactly one type, found 'int', 'one_of'",
    ]),
    PluginCase("int min > max", plugin(scaleCommand.replacingOccurrences(of: "min: 1, max: 50", with: "min: 10, max: 5")), [
        "\(file):8: argument 'replicas': min 10 is greater than max 5",
    ]),
    PluginCase("int bound not a number", plugin(scaleCommand.replacingOccurrences(of: "max: 50", with: "max: \"50\"")), [
        "\(file):8: 'max' must be a whole number",
    ]),
    PluginCase("empty one_of", plugin(scaleCommand.replacingOccurrences(of: "[api, web]", with: "[]")), [
        "\(file):7: argument 'deployment': one_of must list at least one value",
    ]),
    PluginCase("bad regex", plugin(scaleCommand.replacingOccurrences(of: "{ one_of: [api, web] }", with: "{ pattern: \"[a-\" }")), [
        "\(file):7: argument 'deployment': pattern '[a-' is not a valid regular expression",
    ]),
    PluginCase("unknown action", plugin(scaleCommand.replacingOccurrences(of: "kubernetes.scale:", with: "kubernetes.scael:")), [
        "\(file):10: unknown action 'kubernetes.scael'",
    ]),
    PluginCase("step with two actions", plugin("  - pattern: \(flush)\n    summary: s\n    steps:\n      - redis.flushdb: {}\n        redis.dbsize: {}"), [
        "\(file):7: a step must have exactly one action, found 'redis.flushdb', 'redis.dbsize'",
    ]),
    PluginCase("step parameters not a mapping", plugin("  - pattern: \(flush)\n    summary: s\n    steps:\n      - redis.flushdb: now"), [
        "\(file):7: parameters of 'redis.flushdb' must be a mapping",
    ]),
    PluginCase("unknown argument in a step", plugin(scaleCommand.replacingOccurrences(of: "replicas: \"{replicas}\"", with: "replicas: \"{replica}\"")), [
        "\(file):10: step 'kubernetes.scale' refers to {replica}, which is not an argument of the pattern",
    ]),
    PluginCase("null step parameter", plugin("  - pattern: \(flush)\n    summary: s\n    steps:\n      - redis.flushdb: { db: ~ }"), [
        "\(file):7: a step parameter cannot be null; quote it (\"\") or leave it out",
    ]),
    PluginCase("destructive without steps", plugin("  - pattern: \(flush)\n    summary: s\n    destructive: true\n    preview: [{redis.dbsize: {}}]\n    steps: []"), [
        "\(file):8: command 'cache flush' has no steps",
    ]),
    PluginCase("invalid default value", plugin("  - pattern: \"db long-queries {minutes=soon}\"\n    summary: s\n    args: { minutes: { int: { min: 1 } } }\n    steps: [{postgres.query: {}}]"), [
        "\(file):4: default value 'soon' of {minutes} is not valid: `minutes` must be a whole number (got `soon`)",
    ]),
    PluginCase("builtin help", plugin("  - pattern: \"help me\"\n    summary: s\n    steps: [{slack.post: {}}]"), [
        "\(file):4: command 'help me' clashes with the built-in command 'help'",
    ]),
    PluginCase("builtin whoami", plugin("  - pattern: whoami\n    summary: s\n    steps: [{slack.post: {}}]"), [
        "\(file):4: command 'whoami' clashes with the built-in command 'whoami'",
    ]),
    PluginCase("duplicate command across plugins", [
        (folder: "alpha", yaml: "name: alpha\nrunbook: r\ncommands:\n  - pattern: \(flush)\n    summary: s\n    steps: [{redis.flushdb: {}}]\n"),
        (folder: "beta", yaml: "name: beta\nrunbook: r\ncommands:\n  - pattern: status\n    summary: s\n    steps: [{redis.dbsize: {}}]\n"
            + "  - pattern: \(flush)\n    summary: s\n    steps: [{redis.flushdb: {}}]\n"),
    ], ["plugins/beta/plugin.yaml:7: command 'cache flush' is already defined at plugins/alpha/plugin.yaml:4"]),
    PluginCase("duplicate command within a plugin", plugin(scaleCommand + "\n" + scaleCommand), [
        "\(file):11: command 'scale' is already defined at \(file):4",
    ]),
    PluginCase("every problem of a file is reported", "name: opz\nrunbook: r\nextra: 1\ncommands:\n  - pattern: \"x {a}\"\n    summary: s\n    args: { b: { int: {} } }\n    steps: [{nope: {}}]\n", [
        "\(file):3: unknown key 'extra' in plugin.yaml (expected 'name', 'runbook', 'commands')",
        "\(file):1: name 'opz' must equal the folder name 'ops'",
        "\(file):7: argument 'b' is not in the pattern 'x {a}' (it has 'a')",
        "\(file):8: unknown action 'nope'",
    ]),
]

@Suite("PluginLoader problems")
struct PluginLoaderProblemTests {
    @Test(arguments: cases)
    func reportsProblem(_ testCase: PluginCase) throws {
        let dir = try TemporaryDirectory()
        for (folder, yaml) in testCase.files { try dir.write("plugins/\(folder)/plugin.yaml", yaml) }
        let result = PluginLoader.load(directory: dir.path + "/plugins", knownActions: fixtureActions)
        let problems = dir.relative(result.problems)
        #expect(problems.count == testCase.expected.count, "\(problems)")
        for (problem, expected) in zip(problems, testCase.expected) {
            #expect(problem.hasPrefix(expected), "got \(problem)")
        }
    }

    @Test func missingFolderIsOneProblem() throws {
        let dir = try TemporaryDirectory()
        let result = PluginLoader.load(directory: dir.path + "/nope", knownActions: fixtureActions)
        #expect(dir.relative(result.problems) == ["nope:0: plugin folder not found"])
        #expect(result.table.commands.isEmpty)
    }

    @Test func folderWithoutPluginFileIsAProblem() throws {
        let dir = try TemporaryDirectory()
        try dir.makeFolder("plugins/empty")
        try dir.makeFolder("plugins/.hidden")
        try dir.write("plugins/README.md", "not a plugin")
        let result = PluginLoader.load(directory: dir.path + "/plugins/", knownActions: fixtureActions)
        #expect(dir.relative(result.problems) == ["plugins/empty:0: folder has no plugin.yaml"])
    }

    @Test func oversizedFileIsRefused() throws {
        let dir = try TemporaryDirectory()
        let big = "name: ops\nrunbook: r\ncommands: []\n" + String(repeating: "# padding\n", count: 110_000)
        try dir.write("plugins/ops/plugin.yaml", big)
        let result = PluginLoader.load(directory: dir.path + "/plugins", knownActions: fixtureActions)
        #expect(dir.relative(result.problems) == ["plugins/ops/plugin.yaml:0: file is larger than 1 MiB"])
    }

    @Test func invalidUTF8IsRefused() throws {
        let dir = try TemporaryDirectory()
        try dir.write("plugins/ops/plugin.yaml", Data([0x6E, 0x61, 0x6D, 0x65, 0x3A, 0x20, 0xFF, 0x0A]))
        let result = PluginLoader.load(directory: dir.path + "/plugins", knownActions: fixtureActions)
        #expect(dir.relative(result.problems) == ["plugins/ops/plugin.yaml:0: file is not valid UTF-8"])
    }

    @Test func aliasBombInStepParametersIsBounded() throws {
        let dir = try TemporaryDirectory()
        var yaml = "name: ops\nrunbook: r\ncommands:\n  - pattern: boom\n    summary: s\n    steps:\n      - slack.post:\n"
        yaml += "          a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...8 {
            yaml += "          a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        try dir.write("plugins/ops/plugin.yaml", yaml)
        let result = PluginLoader.load(directory: dir.path + "/plugins", knownActions: fixtureActions)
        #expect(dir.relative(result.problems).contains { $0.hasSuffix(": step parameters are too large") })
        #expect(result.table.commands.isEmpty)
    }

    @Test func leadingDotSlashIsStripped() {
        #expect(LoadProblem(file: "./plugins/a/plugin.yaml", line: 3, message: "m").description == "plugins/a/plugin.yaml:3: m")
        #expect(LoadProblem(file: "././permissions.yaml", line: 0, message: "m").description == "permissions.yaml:0: m")
        #expect(LoadProblem(file: "/etc/x.yaml", line: 1, message: "m").description == "/etc/x.yaml:1: m")
    }
}
