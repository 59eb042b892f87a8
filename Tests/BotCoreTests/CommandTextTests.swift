import BotCore
import Testing

@Suite("CommandText")
struct CommandTextTests {
    /// The refusal message, or nil when the text was accepted.
    func problem(_ text: String) -> String? {
        do {
            _ = try CommandText.tokenize(text)
            return nil
        } catch {
            return error.message
        }
    }

    @Test(arguments: [
        ("scale api-gateway 10", ["scale", "api-gateway", "10"]),
        ("  scale   api-gateway    10  ", ["scale", "api-gateway", "10"]),
        ("scale\tapi-gateway 10", ["scale", "api-gateway", "10"]),
        ("emergency declare \"checkout is down\"", ["emergency", "declare", "checkout is down"]),
        ("emergency declare 'checkout is down'", ["emergency", "declare", "checkout is down"]),
        ("emergency declare \u{201C}checkout is down\u{201D}", ["emergency", "declare", "checkout is down"]),
        ("emergency declare \u{2018}checkout is down\u{2019}", ["emergency", "declare", "checkout is down"]),
        ("emergency declare \u{201C}mixed quotes\"", ["emergency", "declare", "mixed quotes"]),
        ("say \"it's fine\"", ["say", "it's fine"]),
        ("say 'a \"b\" c'", ["say", "a \"b\" c"]),
        ("say \"\"", ["say", ""]),
        ("a\u{00A0}b", ["a", "b"]),
        ("", []),
        ("     ", []),
    ])
    func splitsWords(_ text: String, _ words: [String]) throws {
        #expect(try CommandText.tokenize(text) == words)
    }

    @Test(arguments: [
        ("scale \"api-gateway 10", "A quote is not closed."),
        ("scale \u{201C}api-gateway 10", "A quote is not closed."),
        ("scale api-gateway 10\n", "Commands are one line: newlines and control characters are not accepted."),
        ("scale api-gateway\r\n10", "Commands are one line: newlines and control characters are not accepted."),
        ("scale\u{0}api-gateway", "Commands are one line: newlines and control characters are not accepted."),
        ("scale \u{1B}[31mred", "Commands are one line: newlines and control characters are not accepted."),
        ("scale \u{7F}", "Commands are one line: newlines and control characters are not accepted."),
        ("scale \u{85}", "Commands are one line: newlines and control characters are not accepted."),
        ("scale \u{2028}", "Commands are one line: newlines and control characters are not accepted."),
        ("say \"two\nlines\"", "Commands are one line: newlines and control characters are not accepted."),
    ])
    func refuses(_ text: String, _ message: String) {
        #expect(problem(text) == message)
    }

    @Test func refusesInvalidUTF8() {
        let text = String(decoding: [0x73, 0x63, 0x61, 0x6C, 0x65, 0x20, 0xFF, 0xFE, 0x20, 0x31], as: UTF8.self)
        #expect(text.unicodeScalars.contains("\u{FFFD}"))
        #expect(problem(text) == "That command contains invalid characters.")
    }

    @Test func lengthLimit() throws {
        let atLimit = String(repeating: "a", count: CommandText.maxLength)
        #expect(try CommandText.tokenize(atLimit) == [atLimit])
        let tenKB = String(repeating: "scale ", count: 1_707)
        #expect(problem(tenKB) == "That command is too long (10242 bytes; the limit is 1000).")
        // The limit counts bytes, not characters: 334 three-byte characters are over it.
        #expect(throws: CommandText.Problem.self) { try CommandText.tokenize(String(repeating: "€", count: 334)) }
    }

    @Test func wordLimit() throws {
        let atLimit = Array(repeating: "w", count: CommandText.maxWords)
        #expect(try CommandText.tokenize(atLimit.joined(separator: " ")) == atLimit)
        #expect(problem((atLimit + ["w"]).joined(separator: " ")) == "That command has too many words (33; the limit is 32).")
    }
}
