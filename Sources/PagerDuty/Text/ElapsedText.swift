/// Elapsed times for people: "45 s", "12 min", "1 h 5 min", "2 d 3 h" (rounded down).
package enum ElapsedText {
    package static func format(seconds: Double) -> String {
        // To the millisecond first, so 719.9999 s of float noise still reads "12 min".
        let total = max(0, Int((seconds * 1000).rounded()) / 1000)
        let days = total / 86_400, hours = total % 86_400 / 3600, minutes = total % 3600 / 60
        if total < 60 { return "\(total) s" }
        if total < 3600 { return "\(minutes) min" }
        if total < 86_400 { return minutes == 0 ? "\(hours) h" : "\(hours) h \(minutes) min" }
        return hours == 0 ? "\(days) d" : "\(days) d \(hours) h"
    }

    package static func format(_ duration: Duration) -> String { format(seconds: duration.inSeconds) }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
