import Foundation
import Yams

extension BotConfiguration {
    /// Reads `configFile` (if given) and the environment. A broken or unknown-keyed file is one clear error.
    package static func load(environment: [String: String], configFile: String?) throws(ConfigurationError) -> BotConfiguration {
        var values: [String: String] = [:]
        if let configFile { values = try fileValues(configFile) }
        for key in knownKeys {
            if let v = environment[key], !v.isEmpty { values[key] = v }
        }
        return BotConfiguration(values: values)
    }

    static func fileValues(_ path: String) throws(ConfigurationError) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("\(path): cannot read the configuration file")
        }
        guard data.count <= 1 << 20, let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError("\(path): not a UTF-8 text file of at most 1 MiB")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigurationError("\(path):\(Self.line(of: error)): not valid YAML")
        } catch {
            throw ConfigurationError("\(path): not valid YAML")
        }
        // An empty document (`---` and comments only) composes to an empty null scalar: no settings.
        guard let node, !(node.scalar?.string.isEmpty ?? false) else { return [:] }
        guard let mapping = node.mapping else {
            throw ConfigurationError("\(path):\(node.mark?.line ?? 1): expected a mapping of settings")
        }
        var values: [String: String] = [:]
        for (key, value) in mapping {
            let line = key.mark?.line ?? 1  // Yams marks are 1-based already
            guard let name = key.string, knownKeys.contains(name.uppercased()), name == name.lowercased() else {
                throw ConfigurationError("\(path):\(line): unknown setting '\(key.string ?? "?")' (settings are the environment names in lower case, e.g. hybridbot_listen)")
            }
            guard let scalar = value.scalar else {
                throw ConfigurationError("\(path):\(line): '\(name)' must be a single value")
            }
            values[name.uppercased()] = scalar.string
        }
        return values
    }

    static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return 1
        }
    }
}
