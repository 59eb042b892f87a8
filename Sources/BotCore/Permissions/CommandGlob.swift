/// A glob over command paths, word by word: `scale *`, `* check`, `db *`, `cache flush`.
///
/// A `*` word matches zero or more words; `*` inside a word matches characters within that word.
/// Matching is against the command's path (its literal words), never against user-supplied arguments.
package struct CommandGlob: Sendable, Equatable, CustomStringConvertible {
    package let source: String
    private let words: [String]

    package init(_ source: String) {
        self.source = source
        self.words = source.lowercased().split(separator: " ").map(String.init)
    }

    package var description: String { source }

    package func matches(_ path: String) -> Bool {
        Self.match(words[...], path.lowercased().split(separator: " ").map(String.init)[...])
    }

    private static func match(_ glob: ArraySlice<String>, _ path: ArraySlice<String>) -> Bool {
        guard let head = glob.first else { return path.isEmpty }
        if head == "*" {
            let rest = glob.dropFirst()
            for skip in 0...path.count where match(rest, path.dropFirst(skip)) { return true }
            return false
        }
        guard let word = path.first, wordMatch(Array(head), Array(word)) else { return false }
        return match(glob.dropFirst(), path.dropFirst())
    }

    private static func wordMatch(_ p: [Character], _ s: [Character]) -> Bool {
        // Classic wildcard match with backtracking on the last star.
        var pi = 0, si = 0, star = -1, mark = 0
        while si < s.count {
            if pi < p.count, p[pi] == s[si] { pi += 1; si += 1 }
            else if pi < p.count, p[pi] == "*" { star = pi; mark = si; pi += 1 }
            else if star >= 0 { pi = star + 1; mark += 1; si = mark }
            else { return false }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
