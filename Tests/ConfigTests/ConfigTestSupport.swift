import Foundation

/// A fresh directory under the system temporary directory, removed when the value goes away.
final class ConfigTempDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("hybridbot-configtests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` to `name` in this directory and returns the full path.
    func write(_ name: String, _ text: String) throws -> String {
        let full = path + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        return full
    }
}
