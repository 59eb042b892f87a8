/// Text typed by a user, made safe to put inside a message: no `<!channel>`, `<@U…>` or link markup of theirs
/// is rendered, and a backtick cannot close the code span it is shown in.
package enum SlackText {
    package static func escaped(_ s: String) -> String {
        s.replacing("&", with: "&amp;").replacing("<", with: "&lt;").replacing(">", with: "&gt;").replacing("`", with: "'")
    }
}
