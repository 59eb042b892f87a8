import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Job manifest (JSON) kept in a plugin folder, with `{{key}}` placeholders in its string values.
/// Placeholders are replaced after parsing, in string values only, so a value can never change the structure.
package struct KubernetesJobTemplate: Sendable {
    package struct Failure: Error, Sendable, Equatable {
        package let message: String
    }

    static let maxBytes = 64 << 10

    /// Reads `relativePath` under `root`: no absolute paths, no `..`, only `[A-Za-z0-9._-]` names, `.json`, and after
    /// resolving symlinks the file must still be inside `root`.
    package static func load(_ relativePath: String, root: String) throws(Failure) -> [String: Any] {
        let components = relativePath.split(separator: "/", omittingEmptySubsequences: false)
        guard !relativePath.hasPrefix("/"), !components.isEmpty, components.count <= 4,
              components.allSatisfy({ part in
                  !part.isEmpty && part != "." && part != ".." && part.utf8.allSatisfy {
                      ($0 >= 97 && $0 <= 122) || ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 46 || $0 == 95
                  }
              }),
              relativePath.hasSuffix(".json")
        else {
            throw Failure(message: "`\(relativePath.prefix(80))` is not a template name: use a relative `.json` path inside the plugin folder, without `..`")
        }
        guard let realRoot = realPath(root) else { throw Failure(message: "the job template folder is missing") }
        guard let realFile = realPath(realRoot + "/" + relativePath) else {
            throw Failure(message: "job template `\(relativePath)` not found")
        }
        guard realFile.hasPrefix(realRoot.hasSuffix("/") ? realRoot : realRoot + "/") else {
            throw Failure(message: "job template `\(relativePath)` points outside the plugin folder")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: realFile, isDirectory: &isDirectory), !isDirectory.boolValue,
              let data = FileManager.default.contents(atPath: realFile), data.count <= maxBytes
        else { throw Failure(message: "job template `\(relativePath)` is not a readable file of at most 64 KiB") }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw Failure(message: "job template `\(relativePath)` is not a JSON object")
        }
        guard (object["kind"] as? String ?? "Job") == "Job", (object["apiVersion"] as? String ?? "batch/v1") == "batch/v1" else {
            throw Failure(message: "job template `\(relativePath)` is not a batch/v1 Job")
        }
        return object
    }

    /// Replaces `{{key}}` in every string value. Throws naming any placeholder left without a value.
    package static func substitute(_ object: [String: Any], values: [String: String]) throws(Failure) -> [String: Any] {
        var missing = Set<String>()
        func walk(_ node: Any) -> Any {
            switch node {
            case let text as String:
                var out = text
                for (key, value) in values { out = out.replacingOccurrences(of: "{{\(key)}}", with: value) }
                var rest = Substring(out)
                while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
                    missing.insert(String(rest[open.upperBound..<close.lowerBound]))
                    rest = rest[close.upperBound...]
                }
                return out
            case let dictionary as [String: Any]: return dictionary.mapValues(walk)
            case let array as [Any]: return array.map(walk)
            default: return node
            }
        }
        let result = object.mapValues(walk)
        guard missing.isEmpty else {
            throw Failure(message: "the job template needs " + missing.sorted().map { "`\($0)`" }.joined(separator: ", ") + ", not given")
        }
        return result
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
