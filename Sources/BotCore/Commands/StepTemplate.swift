/// A value in a step's parameters as written in plugin.yaml; strings may reference arguments as `{name}`.
package indirect enum TemplateValue: Sendable, Equatable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case list([TemplateValue])
    case map([String: TemplateValue])

    package var canonical: String {
        switch self {
        case .string(let s): "\"\(s.utf8.count):\(s)\""
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .bool(let b): String(b)
        case .list(let items): "[" + items.map(\.canonical).joined(separator: ",") + "]"
        case .map(let m): "{" + m.sorted { $0.key < $1.key }.map { "\($0.key.utf8.count):\($0.key)=\($0.value.canonical)" }.joined(separator: ",") + "}"
        }
    }
}

/// One step of a command: a built-in action and its parameters.
package struct StepTemplate: Sendable, Equatable {
    package let action: String
    package let parameters: [String: TemplateValue]
    package let line: Int

    package init(action: String, parameters: [String: TemplateValue], line: Int = 0) {
        self.action = action
        self.parameters = parameters
        self.line = line
    }

    /// A stable text form (map keys sorted): what a plan's hash covers.
    package var canonical: String {
        action + " " + TemplateValue.map(parameters).canonical
    }

    /// Argument names referenced by `{name}` anywhere in the parameters.
    package var referencedArguments: Set<String> {
        var names = Set<String>()
        func walk(_ v: TemplateValue) {
            switch v {
            case .string(let s): names.formUnion(Self.references(in: s))
            case .list(let items): items.forEach(walk)
            case .map(let m): m.values.forEach(walk)
            default: break
            }
        }
        parameters.values.forEach(walk)
        return names
    }

    /// Substitutes validated arguments. A string that is exactly `{name}` takes the argument's type (an int stays an int);
    /// a parameter that is exactly `{name}` of an optional argument the user left out is left out too.
    package func resolve(with arguments: [String: ArgumentValue]) -> [String: ResolvedValue] {
        var out: [String: ResolvedValue] = [:]
        for (key, value) in parameters {
            if case .string(let s) = value, let name = Self.references(in: s).first, s == "{\(name)}", arguments[name] == nil { continue }
            out[key] = Self.resolve(value, arguments)
        }
        return out
    }

    static func resolve(_ value: TemplateValue, _ arguments: [String: ArgumentValue]) -> ResolvedValue {
        switch value {
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .bool(let b): return .bool(b)
        case .list(let items): return .list(items.map { resolve($0, arguments) })
        case .map(let m): return .map(m.mapValues { resolve($0, arguments) })
        case .string(let s):
            let refs = references(in: s)
            if refs.count == 1, let name = refs.first, s == "{\(name)}", let arg = arguments[name] {
                switch arg {
                case .int(let i): return .int(i)
                case .string(let str): return .string(str)
                }
            }
            // One pass, left to right: a substituted value is never scanned again.
            var out = ""
            var rest = Substring(s)
            while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
                let name = String(rest[rest.index(after: open)..<close])
                out += rest[..<open]
                out += CommandPattern.isIdentifier(name) ? (arguments[name]?.description ?? "") : String(rest[open...close])
                rest = rest[rest.index(after: close)...]
            }
            return .string(out + rest)
        }
    }

    package static func references(in s: String) -> [String] {
        var names: [String] = []
        var rest = Substring(s)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            let name = String(rest[rest.index(after: open)..<close])
            if CommandPattern.isIdentifier(name) { names.append(name) }
            rest = rest[rest.index(after: close)...]
        }
        return names
    }
}

/// A step parameter after argument substitution: what an action receives.
package indirect enum ResolvedValue: Sendable, Equatable, CustomStringConvertible {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case list([ResolvedValue])
    case map([String: ResolvedValue])

    package var stringValue: String? {
        switch self {
        case .string(let s): s
        case .int(let i): String(i)
        default: nil
        }
    }

    package var intValue: Int? {
        switch self {
        case .int(let i): i
        case .string(let s): Int(s)
        default: nil
        }
    }

    package var description: String {
        switch self {
        case .string(let s): s
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .bool(let b): String(b)
        case .list(let l): "[" + l.map(\.description).joined(separator: ", ") + "]"
        case .map(let m): "{" + m.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        }
    }
}
