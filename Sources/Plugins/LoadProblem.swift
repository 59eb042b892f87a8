/// One thing wrong with a configuration file, reported as `file:line: message`.
///
/// Line numbers are 1-based lines of the YAML node at fault; line 0 means the file as a whole
/// (not found, unreadable, too large, empty).
package struct LoadProblem: Error, Sendable, Equatable, CustomStringConvertible {
    package let file: String
    package let line: Int
    package let message: String

    package init(file: String, line: Int, message: String) {
        self.file = LoadProblem.displayPath(file)
        self.line = line
        self.message = message
    }

    package var description: String { "\(file):\(line): \(message)" }

    /// The path as given, without a leading `./` (so `./plugins/x/plugin.yaml` reads `plugins/x/plugin.yaml`).
    package static func displayPath(_ path: String) -> String {
        var out = Substring(path)
        while out.hasPrefix("./") && out.count > 2 { out = out.dropFirst(2) }
        return String(out)
    }

    /// `directory/name`, without a doubled slash and without a leading `./`.
    static func join(_ directory: String, _ names: String...) -> String {
        var out = directory
        for name in names {
            out = out.hasSuffix("/") ? out + name : out + "/" + name
        }
        return displayPath(out)
    }
}
