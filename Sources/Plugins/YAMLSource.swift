import Foundation
import Yams

/// Reads a YAML file (size-limited, strict UTF-8) and composes its node tree, turning every failure into a `LoadProblem`.
enum YAMLSource {
    /// Configuration files are small; anything bigger is a mistake (or an attack on the parser).
    static let maxBytes = 1 << 20

    static func load(path: String) -> Result<Node, LoadProblem> {
        read(path: path).flatMap { compose($0, file: path) }
    }

    static func read(path: String) -> Result<String, LoadProblem> {
        func problem(_ message: String) -> Result<String, LoadProblem> {
            .failure(LoadProblem(file: path, line: 0, message: message))
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return problem("file not found") }
        guard !isDirectory.boolValue else { return problem("is a directory, not a file") }
        guard let handle = FileHandle(forReadingAtPath: path) else { return problem("file cannot be read") }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: maxBytes + 1) ?? Data()
        } catch {
            return problem("file cannot be read")
        }
        guard data.count <= maxBytes else { return problem("file is larger than 1 MiB") }
        guard let text = String(validating: data, as: UTF8.self) else { return problem("file is not valid UTF-8") }
        return .success(text)
    }

    static func compose(_ text: String, file: String) -> Result<Node, LoadProblem> {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                return .failure(LoadProblem(file: file, line: 0, message: "file is empty"))
            }
            return .success(node)
        } catch {
            let (line, message) = describe(error, text: text)
            return .failure(LoadProblem(file: file, line: line, message: message))
        }
    }

    /// A 1-based line and a one-line message, without Yams' snippets and internal prefixes.
    static func describe(_ error: any Error, text: String) -> (line: Int, message: String) {
        guard let error = error as? YamlError else { return (0, "invalid YAML: \(error)") }
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let detail = context.map { " (\($0.text) at line \($0.mark.line))" } ?? ""
            return (mark.line, "invalid YAML: \(problem)\(detail)")
        case .reader(let problem, let offset, _, _):
            let line = offset.map { text.prefix($0).filter(\.isNewline).count + 1 } ?? 0
            return (line, "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return (context.mark.line, "duplicate key \(keys) in a mapping")
        default:
            return (0, "invalid YAML: \(error)")
        }
    }
}
