/// Splits what the user typed after `/hybrid` into words.
///
/// Double, single and Slack's typographic quotes group words; runs of spaces collapse.
/// Control characters (newlines included), NUL and over-long input are refused outright:
/// nothing the bot runs ever needs them, and refusing is clearer than guessing.
package enum CommandText {
    package static let maxLength = 1_000
    package static let maxWords = 32

    package struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
        package let message: String
        package var description: String { message }
    }

    package static func tokenize(_ text: String) throws(Problem) -> [String] {
        guard text.utf8.count <= maxLength else {
            throw Problem(message: "That command is too long (\(text.utf8.count) bytes; the limit is \(maxLength)).")
        }
        if text.unicodeScalars.contains(where: { $0 == "\u{FFFD}" }) {
            throw Problem(message: "That command contains invalid characters.")
        }
        if text.unicodeScalars.contains(where: { isControl($0) }) {
            throw Problem(message: "Commands are one line: newlines and control characters are not accepted.")
        }
        var words: [String] = []
        var current = ""
        var inWord = false
        var closing: Character?
        for ch in text {
            if let close = closing {
                if ch == close || (close == "\u{201D}" && ch == "\"") { closing = nil } else { current.append(ch) }
                continue
            }
            switch ch {
            case " ", "\u{00A0}", "\t":
                if inWord { words.append(current); current = ""; inWord = false }
            case "\"", "'", "\u{201C}", "\u{2018}", "\u{201D}", "\u{2019}":
                // A quote opens only at the start of a word: `can't` is a word, not an unclosed quote.
                guard !inWord else { current.append(ch); continue }
                inWord = true
                closing = switch ch {
                case "\u{201C}", "\u{201D}": "\u{201D}"
                case "\u{2018}", "\u{2019}": "\u{2019}"
                default: ch
                }
            default:
                current.append(ch); inWord = true
            }
        }
        if closing != nil { throw Problem(message: "A quote is not closed.") }
        if inWord { words.append(current) }
        guard words.count <= maxWords else {
            throw Problem(message: "That command has too many words (\(words.count); the limit is \(maxWords)).")
        }
        return words
    }

    private static func isControl(_ s: Unicode.Scalar) -> Bool {
        (s.value < 0x20 && s != "\t") || s.value == 0x7F || (0x80...0x9F).contains(s.value)
            || s.value == 0x2028 || s.value == 0x2029
            // Bidi controls make text display differently from what it is.
            || (0x202A...0x202E).contains(s.value) || (0x2066...0x2069).contains(s.value)
            || s.value == 0x200E || s.value == 0x200F || s.value == 0x061C
    }
}
