import BotCore
import Foundation
import Logging
import Store

enum LogSetup {
    /// Text or JSON lines on stderr; every message and metadata value passes the redactor.
    static func bootstrap(format: String, level: String, redactor: SecretRedactor) {
        let logLevel = Logger.Level(rawValue: level.lowercased()) ?? .info
        let json = format.lowercased() == "json"
        LoggingSystem.bootstrap { label in
            var handler = RedactingLogHandler(label: label, json: json, redactor: redactor)
            handler.logLevel = logLevel
            return handler
        }
    }
}

/// Writes one line per log event to stderr, redacted, as text or JSON.
struct RedactingLogHandler: LogHandler {
    let label: String
    let json: Bool
    let redactor: SecretRedactor
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let fields = merged.mapValues { redactor.redact("\($0)") }
        let time = Timestamp.rfc3339(Date())
        let message = redactor.redact(event.message.description)
        let line: String
        if json {
            var object: [String: String] = fields
            object["time"] = time
            object["level"] = event.level.rawValue
            object["label"] = label
            object["message"] = message
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            line = String(decoding: data, as: UTF8.self)
        } else {
            let meta = fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            line = "\(time) \(event.level.rawValue.uppercased()) \(label): \(message)" + (meta.isEmpty ? "" : " " + meta)
        }
        FileHandleWriter.writeStderr(line + "\n")
    }
}
