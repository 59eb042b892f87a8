import BotCore
import Foundation
import RedisDriver

/// `redis.queues` (read-only): lengths of list queues against a threshold — `keys` (exact names) and
/// `patterns` (SCAN MATCH, never KEYS). Each length is also a preview fact, so a queue clear is approved
/// for the lengths the approver saw (`tolerance`, default 0.2).
package struct RedisQueues: Action {
    package let name = "redis.queues"
    package let readOnly = true
    let target: RedisTarget

    package init(target: RedisTarget) { self.target = target }

    /// A pattern lists at most this many queues (the rest is counted, not measured).
    static let maxQueues = 200

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let client = try target.connected(for: name)
        let keys = try parameters.stringList("keys", for: name)
        let patterns = try parameters.stringList("patterns", for: name)
        guard !keys.isEmpty || !patterns.isEmpty else { throw .badParameter(name, "give `keys` or `patterns`") }
        let threshold = parameters["max"]?.intValue ?? 100
        let tolerance = parameters["tolerance"]?.doubleValue ?? 0.2
        do {
            var names = keys
            var unlisted = 0
            for pattern in patterns {
                var found = Set<String>()
                var cursor = "0"
                repeat {
                    let page = try await client.scan(cursor: cursor, match: pattern, count: 500)
                    found.formUnion(page.keys)
                    cursor = page.cursor
                } while cursor != "0" && found.count <= Self.maxQueues
                let sorted = found.subtracting(names).sorted()
                names += sorted.prefix(Self.maxQueues)
                unlisted += max(0, sorted.count - Self.maxQueues)
            }
            var rows: [[String]] = []
            var facts: [String: String] = [:]
            var previewFacts: [PreviewFact] = []
            var over = 0
            var total = 0
            for key in names {
                let type = try await client.checkedCommand(["TYPE", key]).string ?? "none"
                let length: Int
                switch type {
                case "list": length = try await client.llen(key)
                case "none": length = 0
                case "stream": length = try await client.checkedCommand(["XLEN", key]).int ?? 0
                case "zset": length = try await client.checkedCommand(["ZCARD", key]).int ?? 0
                case "set": length = try await client.checkedCommand(["SCARD", key]).int ?? 0
                default:
                    rows.append(["⚪️", key, "-", "not a queue (\(type))"])
                    continue
                }
                total += length
                let healthy = length < threshold
                if !healthy { over += 1 }
                rows.append([OutputLine.mark(healthy), key, length.grouped, type == "none" ? "empty" : type])
                facts[key] = String(length)
                previewFacts.append(PreviewFact(name: key, value: .count(length, tolerance: tolerance)))
            }
            var details: [OutputDetail] = [.table(OutputTable(columns: ["", "queue", "length", "type"], rows: rows))]
            if unlisted > 0 {
                details.append(.text("… and \(unlisted) more queues matching the patterns, not measured"))
                // An approval must see everything it deletes: a truncated preview can never match a later measurement.
                previewFacts.append(PreviewFact(name: "unmeasured queues", value: .exact("\(unlisted) (measure fewer at a time)")))
            }
            let verdict = over == 0 ? "all below \(threshold)" : "*\(over) at or over \(threshold)*"
            facts["total"] = String(total)
            return ActionOutput(
                summary: "Queues in Redis `\(target.shown)`: \(names.count) measured, \(total.grouped) items in all — \(verdict)",
                facts: facts, previewFacts: previewFacts, details: details)
        } catch {
            throw RedisTarget.failure(error, doing: "measure the queues")
        }
    }
}

/// `redis.count_keys` (read-only, a preview): how many keys match `pattern` (SCAN, never KEYS).
package struct RedisCountKeys: Action {
    package let name = "redis.count_keys"
    package let readOnly = true
    let target: RedisTarget

    package init(target: RedisTarget) { self.target = target }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let client = try target.connected(for: name)
        let pattern = try parameters.requiredString("pattern", for: name)
        let tolerance = parameters["tolerance"]?.doubleValue ?? 0.1
        do {
            let count = try await client.countKeys(matching: pattern)
            return ActionOutput(
                summary: "\(count.grouped) keys match `\(SlackText.escaped(pattern))` in Redis `\(target.shown)`",
                facts: ["pattern": pattern, "keys": String(count)],
                previewFacts: [PreviewFact(name: "keys matching \(pattern)", value: .count(count, tolerance: tolerance))])
        } catch {
            throw RedisTarget.failure(error, doing: "count keys")
        }
    }
}

/// `redis.delete_keys` (destructive): deletes the keys matching `pattern` with SCAN + UNLINK in batches (never KEYS),
/// or exactly the names in `keys`. `allowed_prefixes` (from the plugin file) bounds what a command may ever delete:
/// a pattern or key outside them is refused before Redis is touched.
package struct RedisDeleteKeys: Action {
    package let name = "redis.delete_keys"
    package let readOnly = false
    let target: RedisTarget

    package init(target: RedisTarget) { self.target = target }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let client = try target.connected(for: name)
        let pattern = parameters["pattern"]?.stringValue
        let keys = try parameters.stringList("keys", for: name)
        let allowed = try parameters.stringList("allowed_prefixes", for: name)
        guard (pattern != nil) != !keys.isEmpty else { throw .badParameter(name, "give exactly one of `pattern` or `keys`") }
        guard !allowed.isEmpty else { throw .badParameter(name, "`allowed_prefixes` is required: it bounds what may be deleted") }
        for candidate in (pattern.map { [$0] } ?? keys) {
            // The literal part of a pattern (before any glob character) must lie inside an allowed prefix.
            let literal = String(candidate.prefix { !"*?[\\".contains($0) })
            // A prefix ending in a separator (`review_queue:`) covers what follows it; any other (`feedback_queue`) only
            // itself — so `feedback_queue` never admits `feedback_queue_archive`.
            let inside = allowed.contains { prefix in
                prefix.hasSuffix(":") ? literal.hasPrefix(prefix) : candidate == prefix
            }
            guard inside else {
                throw .badParameter(name, "`\(candidate.prefix(80))` is outside what this command may delete (\(allowed.joined(separator: ", ")))")
            }
        }
        do {
            let deleted: Int
            if let pattern {
                deleted = try await client.unlinkKeys(matching: pattern)
            } else {
                deleted = try await client.checkedCommand(["UNLINK"] + keys).int ?? 0
            }
            let what = pattern.map { "matching `\(SlackText.escaped($0))`" } ?? keys.map { "`\(SlackText.escaped($0))`" }.joined(separator: ", ")
            context.logger.notice("deleted redis keys", metadata: ["redis.target": "\(target.shown)", "redis.deleted": "\(deleted)"])
            return ActionOutput(
                summary: "Deleted \(deleted.grouped) \(deleted == 1 ? "key" : "keys") \(what) in Redis `\(target.shown)`",
                facts: ["deleted": String(deleted)])
        } catch {
            throw RedisTarget.failure(error, doing: "delete keys")
        }
    }
}

extension Dictionary where Key == String, Value == ResolvedValue {
    /// A list of strings, or one string (`keys: a` = `keys: [a]`), or none.
    package func stringList(_ key: String, for action: String) throws(ActionFailure) -> [String] {
        switch self[key] {
        case nil: return []
        case .list(let items)?:
            var out: [String] = []
            for item in items {
                guard let s = item.stringValue else { throw .badParameter(action, "`\(key)` must be a list of strings") }
                out.append(s)
            }
            return out
        case let value?:
            guard let s = value.stringValue else { throw .badParameter(action, "`\(key)` must be a list of strings") }
            return s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
    }
}

extension ResolvedValue {
    package var doubleValue: Double? {
        switch self {
        case .double(let d): d
        case .int(let i): Double(i)
        case .string(let s): Double(s)
        default: nil
        }
    }
}
