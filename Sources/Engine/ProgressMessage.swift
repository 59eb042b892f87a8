import Actions
import Slack

/// Progress of a long step (rollouts waiting for availability, restore Jobs) as ONE message updated in place:
/// the first line posts it (in the thread when there is one), later lines edit it. Needs the Web API (a bot token);
/// without one, progress is skipped and only the final result is sent (response_url allows few follow-ups).
actor ProgressMessage {
    private let poster: SlackPoster
    private let channel: String
    private let threadTS: String?
    private let title: String
    private var lines: [String] = []
    private var ts: String?
    private var failed = false

    static let maxLines = 30

    init(poster: SlackPoster, channel: String, threadTS: String?, title: String) {
        self.poster = poster
        self.channel = channel
        self.threadTS = threadTS
        self.title = title
    }

    func add(_ line: String) async {
        guard !failed, poster.canEdit else { return }
        if lines.last == line { return }
        lines.append(line)
        if lines.count > Self.maxLines { lines.removeFirst(lines.count - Self.maxLines) }
        let text = "⏳ " + title + "\n" + lines.map { "• " + $0 }.joined(separator: "\n")
        if let ts {
            await poster.update(.inChannel(text), channel: channel, ts: ts, responseURL: nil)
        } else if let posted = await poster.postThreaded(.inChannel(text), channel: channel, threadTS: threadTS) {
            ts = posted
        } else {
            failed = true
        }
    }
}

extension SlackPoster {
    /// True when messages can be posted and edited through the Web API.
    var canEdit: Bool { web != nil }

    /// chat.postMessage (in a thread when `threadTS` is set); the new message's ts, or nil.
    func postThreaded(_ message: SlackMessage, channel: String, threadTS: String?) async -> String? {
        guard let web else { return nil }
        do {
            return try await web.postMessage(channel: channel, message: message.mapText(outgoing), threadTS: threadTS)
        } catch {
            return nil
        }
    }
}
