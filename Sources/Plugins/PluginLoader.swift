import BotCore
import Foundation

/// A loaded plugin, for `hybridbot check` and the startup log.
package struct PluginInfo: Sendable, Equatable {
    package let name: String
    package let runbook: String
    package let file: String
    /// Commands of this plugin that made it into the table.
    package let commandCount: Int

    package init(name: String, runbook: String, file: String, commandCount: Int) {
        self.name = name
        self.runbook = runbook
        self.file = file
        self.commandCount = commandCount
    }
}

/// Everything loaded from the plugin folder. The table holds every valid command even when there are problems;
/// callers must refuse to start (and `hybridbot check` must fail) when `problems` is not empty.
package struct PluginLoadResult: Sendable {
    package let table: CommandTable
    package let plugins: [PluginInfo]
    package let problems: [LoadProblem]

    package init(table: CommandTable, plugins: [PluginInfo], problems: [LoadProblem]) {
        self.table = table
        self.plugins = plugins
        self.problems = problems
    }
}

/// Loads `DIRECTORY/*/plugin.yaml`, in folder-name order, and reports every problem it finds.
package enum PluginLoader {
    package static let fileName = "plugin.yaml"

    package static func load(directory: String, knownActions: Set<String>) -> PluginLoadResult {
        let shownDirectory = LoadProblem.displayPath(directory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue,
              let names = try? FileManager.default.contentsOfDirectory(atPath: directory)
        else {
            let problem = LoadProblem(file: shownDirectory, line: 0, message: "plugin folder not found")
            return PluginLoadResult(table: CommandTable([]), plugins: [], problems: [problem])
        }
        var problems: [LoadProblem] = []
        var plugins: [PluginInfo] = []
        var commands: [CommandSpec] = []
        for folder in names.sorted() where !folder.hasPrefix(".") {
            let folderPath = LoadProblem.join(directory, folder)
            guard FileManager.default.fileExists(atPath: folderPath, isDirectory: &isDirectory), isDirectory.boolValue else {
                continue
            }
            let file = LoadProblem.join(folderPath, fileName)
            guard FileManager.default.fileExists(atPath: file) else {
                problems.append(LoadProblem(file: folderPath, line: 0, message: "folder has no \(fileName)"))
                continue
            }
            let output = PluginFileReader(file: file, folder: folder, knownActions: knownActions).read()
            problems += output.problems
            let accepted = admit(output.commands, after: commands, problems: &problems)
            commands += accepted
            if let info = output.info {
                plugins.append(PluginInfo(name: info.name, runbook: info.runbook, file: info.file, commandCount: accepted.count))
            }
        }
        return PluginLoadResult(table: CommandTable(commands), plugins: plugins, problems: problems)
    }

    /// The commands that neither shadow a built-in nor repeat a path already loaded; the others are reported.
    static func admit(_ candidates: [CommandSpec], after loaded: [CommandSpec], problems: inout [LoadProblem]) -> [CommandSpec] {
        var seen = Dictionary(loaded.map { ($0.path, $0.location) }, uniquingKeysWith: { first, _ in first })
        var accepted: [CommandSpec] = []
        for spec in candidates {
            let first = spec.path.split(separator: " ").first.map(String.init) ?? ""
            if CommandTable.reservedWords.contains(first) {
                problems.append(LoadProblem(
                    file: spec.location.file, line: spec.location.line,
                    message: "command '\(spec.path)' clashes with the built-in command '\(first)'"))
            } else if let earlier = seen[spec.path] {
                problems.append(LoadProblem(
                    file: spec.location.file, line: spec.location.line,
                    message: "command '\(spec.path)' is already defined at \(earlier)"))
            } else {
                seen[spec.path] = spec.location
                accepted.append(spec)
            }
        }
        return accepted
    }
}
