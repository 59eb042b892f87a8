import BotCore
import Foundation
import RedisDriver

/// `redis.dbsize` (read-only, a preview): key count of the database and the cache hit ratio.
/// Parameter `tolerance` (fraction, default 0.1): how far the key count may drift before an approved flush is void.
package struct RedisDBSize: Action {
    package let name = "redis.dbsize"
    package let readOnly = true
    let target: RedisTarget

    package init(target: RedisTarget) { self.target = target }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let client = try target.connected(for: name)
        let tolerance: Double
        switch parameters["tolerance"] {
        case .double(let d)?: tolerance = d
        case .int(let i)?: tolerance = Double(i)
        default: tolerance = 0.1
        }
        do {
            let keys = try await client.dbsize()
            let stats = try await client.info("stats")
            let hits = Int(stats["keyspace_hits"] ?? "") ?? 0
            let misses = Int(stats["keyspace_misses"] ?? "") ?? 0
            let ratio = hits + misses == 0 ? "no lookups yet" : String(format: "%.1f %%", Double(hits) * 100 / Double(hits + misses))
            return ActionOutput(
                summary: "Redis `\(target.shown)` holds *\(keys.grouped)* keys; cache hit ratio \(ratio) (hits \(hits.grouped), misses \(misses.grouped))",
                facts: ["keys": String(keys), "keyspace_hits": String(hits), "keyspace_misses": String(misses)],
                previewFacts: [PreviewFact(name: "keys", value: .count(keys, tolerance: tolerance))])
        } catch {
            throw RedisTarget.failure(error, doing: "measure the cache")
        }
    }
}

/// `redis.flushdb`: FLUSHDB of the configured database. Destructive: only behind an approval.
package struct RedisFlushDB: Action {
    package let name = "redis.flushdb"
    package let readOnly = false
    let target: RedisTarget

    package init(target: RedisTarget) { self.target = target }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let client = try target.connected(for: name)
        do {
            let before = try await client.dbsize()
            // ASYNC: the keys are gone at once, memory is freed in the background, so a big cache cannot time us out.
            _ = try await client.checkedCommand(["FLUSHDB", "ASYNC"])
            let after = try await client.dbsize()
            context.logger.notice("flushed redis", metadata: ["redis.target": "\(target.shown)", "redis.keys_before": "\(before)"])
            return ActionOutput(
                summary: "Flushed Redis `\(target.shown)`: \(before.grouped) keys removed, \(after.grouped) now.",
                facts: ["keys_before": String(before), "keys_after": String(after)])
        } catch {
            throw RedisTarget.failure(error, doing: "flush the cache")
        }
    }
}
