import BotCore
import Yams

/// Reads one `plugins/NAME/plugin.yaml`: `name` (equal to the folder), `runbook`, `commands`.
struct PluginFileReader {
    let file: String
    let folder: String
    let knownActions: Set<String>

    static let keys = ["name", "runbook", "commands"]

    struct Output {
        var info: PluginInfo?
        var commands: [CommandSpec] = []
        var problems: [LoadProblem] = []
    }

    func read() -> Output {
        let root: Node
        switch YAMLSource.load(path: file) {
        case .success(let node): root = node
        case .failure(let problem): return Output(info: nil, problems: [problem])
        }
        let reader = NodeReader(file: file)
        guard let fields = reader.fields(root, in: "plugin.yaml", allowed: Self.keys + (folder == "pagerduty" ? ["pagerduty"] : []), required: Self.keys) else {
            return Output(info: nil, problems: reader.problems)
        }
        if let nameNode = fields["name"], let name = reader.string(nameNode, "name"), name != folder {
            reader.report(nameNode, "name '\(name)' must equal the folder name '\(folder)'")
        }
        if let section = fields["pagerduty"] { _ = PagerDutyPluginSettings.read(section, reader: reader) }
        let runbook = fields["runbook"].flatMap { reader.string($0, "runbook") } ?? ""
        var commands: [CommandSpec] = []
        if let list = fields["commands"], let items = reader.sequence(list, "commands") {
            if items.isEmpty { reader.report(list, "'commands' must list at least one command") }
            let commandReader = CommandReader(reader: reader, plugin: folder, knownActions: knownActions)
            commands = items.compactMap(commandReader.read)
        }
        let info = PluginInfo(name: folder, runbook: runbook, file: file, commandCount: commands.count)
        return Output(info: info, commands: commands, problems: reader.problems)
    }
}
