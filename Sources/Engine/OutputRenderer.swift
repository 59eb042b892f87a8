import BotCore
import Actions
import Slack

/// Turns action outputs into mrkdwn paragraphs that fit Slack: tables as monospace blocks cut with "N more",
/// indicators as green/red lines. Each paragraph fits one section block (3000 characters).
enum OutputRenderer {
    /// Room for one table inside a section, leaving space for its title and the "N more" line.
    static let tableBudget = 2_700
    static let maxCellWidth = 48
    static let maxRows = 30

    static func paragraphs(_ output: ActionOutput) -> [String] {
        var out = [output.summary]
        var indicators: [String] = []
        func flushIndicators() {
            if !indicators.isEmpty { out.append(indicators.joined(separator: "\n")); indicators = [] }
        }
        for detail in output.details {
            switch detail {
            case .indicator(let name, let value, let threshold, let healthy):
                indicators.append(OutputLine.indicator(name: name, value: value, threshold: threshold, healthy: healthy))
            case .table(let table):
                flushIndicators()
                out.append(render(table))
            case .text(let text):
                flushIndicators()
                out.append(text)
            }
        }
        flushIndicators()
        return out
    }

    static func render(_ table: OutputTable) -> String {
        let title = table.title.map { "*\($0)*\n" } ?? ""
        guard !table.rows.isEmpty else { return title + "_none_" }
        let cells = ([table.columns] + table.rows).map { row in row.map { cell(SlackText.escaped($0)) } }
        var widths = Array(repeating: 0, count: table.columns.count)
        for row in cells { for (i, c) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ row: [String]) -> String {
            row.enumerated().map { i, c in
                i == row.count - 1 || i >= widths.count ? c : c + String(repeating: " ", count: max(0, widths[i] - c.count))
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        var lines = [line(cells[0])]
        var used = lines[0].count
        var shown = 0
        for row in cells.dropFirst() {
            let text = line(row)
            if shown >= maxRows || used + text.count + 1 > tableBudget { break }
            lines.append(text)
            used += text.count + 1
            shown += 1
        }
        let more = table.rows.count - shown
        return title + "```\n" + lines.joined(separator: "\n") + "\n```" + (more > 0 ? "\n… \(more) more" : "")
    }

    private static func cell(_ s: String) -> String {
        let flat = s.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\t", with: " ")
        return flat.count <= maxCellWidth ? flat : String(flat.prefix(maxCellWidth - 1)) + "…"
    }

    /// Section blocks for a long text: split at paragraph (then line) boundaries, at most `maxBlocks`.
    static func sections(_ text: String, maxBlocks: Int = 40) -> [Block] {
        var chunks: [String] = []
        var current = ""
        for paragraph in text.components(separatedBy: "\n\n") {
            for piece in split(paragraph, limit: Block.sectionLimit - 10) {
                if current.isEmpty {
                    current = piece
                } else if current.count + 2 + piece.count <= Block.sectionLimit - 10 {
                    current += "\n\n" + piece
                } else {
                    chunks.append(current)
                    current = piece
                }
            }
        }
        if !current.isEmpty { chunks.append(current) }
        if chunks.count > maxBlocks {
            let dropped = chunks.count - (maxBlocks - 1)
            chunks = Array(chunks.prefix(maxBlocks - 1)) + ["… \(dropped) more parts not shown (see the audit)"]
        }
        return chunks.map { Block.section($0) }
    }

    /// A paragraph longer than `limit`, cut at line boundaries (a single overlong line is cut hard);
    /// a monospace block cut in two is closed at the end of one part and reopened in the next.
    private static func split(_ paragraph: String, limit: Int) -> [String] {
        guard paragraph.count > limit else { return [paragraph] }
        let room = limit - 8
        var out: [String] = []
        var current = ""
        var inFence = false
        func close() {
            guard !current.isEmpty else { return }
            out.append(inFence ? current + "\n```" : current)
            current = inFence ? "```" : ""
        }
        for line in paragraph.components(separatedBy: "\n") {
            var rest = Substring(line)
            while rest.count > room {
                close()
                current += (current.isEmpty ? "" : "\n") + rest.prefix(room)
                rest = rest.dropFirst(room)
                close()
            }
            if !current.isEmpty && current.count + 1 + rest.count > room { close() }
            current += (current.isEmpty ? "" : "\n") + rest
            if rest.hasPrefix("```") || rest.hasSuffix("```") && rest.count > 3 { inFence.toggle() }
        }
        if !current.isEmpty && current != "```" { out.append(current) }
        return out
    }
}


extension String {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
