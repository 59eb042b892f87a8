import Actions
@testable import Engine
import Slack
import Testing

/// Tables and long answers must fit Slack's limits and say what was cut.
@Suite struct OutputRendererTests {
    @Test func tableIsAlignedMonospaceAndEscaped() {
        let table = OutputTable(title: "Backends", columns: ["pid", "query"], rows: [["812", "SELECT `x` FROM <t> & u"], ["9", "idle"]])
        let text = OutputRenderer.render(table)
        #expect(text == "*Backends*\n```\npid  query\n812  SELECT 'x' FROM &lt;t&gt; &amp; u\n9    idle\n```")
    }

    @Test func longTablesAreCutWithNMore() {
        let rows = (0..<500).map { ["\($0)", String(repeating: "q", count: 80)] }
        let text = OutputRenderer.render(OutputTable(columns: ["pid", "query"], rows: rows))
        #expect(text.count < Block.sectionLimit)
        let shown = text.split(separator: "\n").filter { $0.first?.isNumber == true }.count
        #expect(shown <= OutputRenderer.maxRows)
        #expect(text.hasSuffix("… \(500 - shown) more"))
        #expect(text.contains("q…"))  // cells are cut to a readable width
    }

    @Test func emptyTableSaysNone() {
        #expect(OutputRenderer.render(OutputTable(columns: ["pid"], rows: [])) == "_none_")
    }

    @Test func indicatorsGetGreenRedAndUnknownMarks() {
        let output = ActionOutput(summary: "s", details: [
            .indicator(name: "p95", value: "231 ms", threshold: "healthy below 500 ms", healthy: true),
            .indicator(name: "errors", value: "3 %", threshold: nil, healthy: false),
            .indicator(name: "gpu", value: "no data", threshold: nil, healthy: nil),
        ])
        #expect(OutputRenderer.paragraphs(output) == ["s", "🟢 *p95*: 231 ms (healthy below 500 ms)\n🔴 *errors*: 3 %\n⚪️ *gpu*: no data"])
    }

    @Test func longTextSplitsIntoSectionsWithBalancedFences() {
        let table = "```\n" + (0..<400).map { "row \($0) " + String(repeating: "x", count: 30) }.joined(separator: "\n") + "\n```"
        let text = "header\n\n" + table + "\n\nfooter"
        let blocks = OutputRenderer.sections(text)
        #expect(blocks.count > 1)
        for block in blocks {
            let body = block.text?.text ?? ""
            #expect(body.count <= Block.sectionLimit)
            #expect(body.components(separatedBy: "```").count % 2 == 1, "unbalanced fence in \(body.prefix(40))…")
        }
        let joined = blocks.compactMap { $0.text?.text }.joined(separator: "\n")
        #expect(joined.contains("row 399"))
        #expect(joined.hasPrefix("header"))
        #expect(joined.hasSuffix("footer"))
    }

    @Test func tooManySectionsAreCappedWithANote() {
        let text = (0..<100).map { "para \($0) " + String(repeating: "y", count: 2900) }.joined(separator: "\n\n")
        let blocks = OutputRenderer.sections(text, maxBlocks: 10)
        #expect(blocks.count == 10)
        #expect(blocks.last?.text?.text.contains("more parts not shown") == true)
    }
}
