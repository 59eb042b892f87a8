import ArgumentParser
import BotConfig
import Foundation
import Engine
import Store

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Read and check the tamper-evident audit in HYBRIDBOT_DB.",
        subcommands: [List.self, Verify.self, Export.self])

    static func openStore(_ options: ConfigOption) async throws -> HybridStore {
        do {
            let config = try BotConfiguration.load(environment: ProcessInfo.processInfo.environment, configFile: options.config)
            return try await HybridStore.openExisting(path: config.databasePath)
        } catch let error as ConfigurationError {
            throw fail(error.description)
        } catch {
            throw fail("\(error)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The audit, newest last.")
        @OptionGroup var options: ConfigOption
        @Option(help: "Only records at or after this time (RFC 3339 or YYYY-MM-DD).") var since: String?
        @Option(help: "Only records of this Slack user id.") var user: String?
        @Flag(help: "One JSON object per line.") var json = false

        func run() async throws {
            var sinceAt: String?
            if let since {
                guard let date = Timestamp.parse(since) else { throw fail("--since must be RFC 3339 or YYYY-MM-DD (got \"\(since.prefix(40))\")") }
                sinceAt = Timestamp.rfc3339(date)
            }
            let store = try await AuditCommand.openStore(options)
            let records = try await store.auditRecords(sinceAt: sinceAt, user: user)
            await store.close()
            for record in records {
                if json { print(try AuditFormat.jsonLine(record)) } else { print(AuditFormat.textLine(record)) }
            }
            if !json && records.isEmpty { print("no audit records") }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check the hash chain of the whole audit (exit 1 if broken).")
        @OptionGroup var options: ConfigOption

        func run() async throws {
            let store = try await AuditCommand.openStore(options)
            let result = try await store.verifyAudit()
            await store.close()
            switch result {
            case .intact(let count):
                print("ok: \(count) records, hash chain intact")
            case .broken(let id, let reason, let checked):
                print("BROKEN at record \(id): \(reason) (\(checked) records before it verified)")
                throw ExitCode(1)
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export the full audit.")
        @OptionGroup var options: ConfigOption
        @Option(help: "jsonl or csv.") var format: ExportFormat = .jsonl
        @Option(help: "Instead: the post-incident draft (Markdown) of this PagerDuty incident (id or #number).") var incident: String?

        enum ExportFormat: String, ExpressibleByArgument, CaseIterable { case jsonl, csv }

        func run() async throws {
            let store = try await AuditCommand.openStore(options)
            if let incident {
                try await AuditCommand.exportIncident(incident, store: store, options: options)
                return
            }
            let records = try await store.auditRecords()
            await store.close()
            switch format {
            case .jsonl:
                for record in records { print(try AuditFormat.jsonLine(record)) }
            case .csv:
                print(AuditFormat.csvHeader)
                for record in records { print(try AuditFormat.csvLine(record)) }
            }
        }
    }
}

extension AuditCommand {
    static func exportIncident(_ reference: String, store: HybridStore, options: ConfigOption) async throws {
        let config = try? BotConfiguration.load(environment: ProcessInfo.processInfo.environment, configFile: options.config)
        do {
            let report = try await IncidentReport.markdown(for: reference, store: store, channel: config?["PAGERDUTY_SLACK_CHANNEL"], now: Date())
            await store.close()
            print(report.markdown, terminator: "")
        } catch {
            await store.close()
            throw fail("\(error)")
        }
    }
}

enum AuditFormat {
    static func jsonLine(_ record: AuditRecord) throws -> String {
        try JSONValue.canonicalString(record)
    }

    static func textLine(_ record: AuditRecord) -> String {
        let who = record.user ?? "-"
        let where_ = record.channel ?? "-"
        return "#\(record.id) \(record.at) \(record.kind) \(who) \(where_) \(record.outcome ?? "-") \(record.command ?? "")"
    }

    static let csvHeader = "id,at,kind,user,channel,command,outcome,detail,hash,prev_hash"

    static func csvLine(_ r: AuditRecord) throws -> String {
        let fields = [String(r.id), r.at, r.kind, r.user ?? "", r.channel ?? "", r.command ?? "", r.outcome ?? "",
                      try JSONValue.canonicalString(r.detail), r.hash, r.prevHash]
        return fields.map(csvField).joined(separator: ",")
    }

    /// RFC 4180 quoting; a leading = + - @ is prefixed with ' so spreadsheets do not run it as a formula.
    static func csvField(_ s: String) -> String {
        var value = s
        if let first = value.first, "=+-@".contains(first) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
