import Foundation

/// A Kubernetes resource quantity (`250m`, `1`, `1500000n`, `512Mi`, `1.5Gi`, `2e3`), as a number of base units
/// (cores for CPU, bytes for memory).
package struct KubernetesQuantity: Sendable, Equatable, Comparable {
    package let value: Double

    package init(value: Double) { self.value = value }

    private static let suffixes: [(String, Double)] = [
        ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776),
        ("Pi", 1_125_899_906_842_624), ("Ei", 1_152_921_504_606_846_976),
        ("n", 1e-9), ("u", 1e-6), ("m", 1e-3), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("P", 1e15), ("E", 1e18),
    ]

    /// nil for anything that is not a quantity (negative numbers included: usage and limits never are).
    package init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= 40 else { return nil }
        var number = Substring(text)
        var multiplier = 1.0
        if let (suffix, factor) = Self.suffixes.first(where: { text.hasSuffix($0.0) }) {
            number = text.dropLast(suffix.count)
            multiplier = factor
        } else if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let exponent = Int(text[text.index(after: e)...]), abs(exponent) <= 18 else { return nil }
            number = text[..<e]
            multiplier = pow(10, Double(exponent))
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              number.filter({ $0 == "." }).count <= 1, number != ".", let base = Double(number)
        else { return nil }
        value = base * multiplier
    }

    package static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }

    /// CPU as kubectl top shows it: millicores (`250m`).
    package var cpuDescription: String {
        let milli = (value * 1000).rounded()
        return "\(Int(milli))m"
    }

    /// Memory in binary units: `512Mi`, `1.5Gi`.
    package var memoryDescription: String {
        let units: [(String, Double)] = [("Ti", 1_099_511_627_776), ("Gi", 1_073_741_824), ("Mi", 1_048_576), ("Ki", 1024)]
        for (unit, size) in units where value >= size {
            let amount = value / size
            let text = amount >= 10 || amount == amount.rounded() ? String(Int(amount.rounded())) : String(format: "%.1f", amount)
            return text + unit
        }
        return String(Int(value)) + "B"
    }

    /// A memory quantity an operator may set as a limit: digits with an optional binary or decimal suffix, ≥ 1Mi.
    package static func memoryLimit(_ text: String) -> KubernetesQuantity? {
        let allowed = ["Ki", "Mi", "Gi", "Ti", "k", "M", "G", "T", ""]
        guard let quantity = KubernetesQuantity(text),
              allowed.contains(where: { text.hasSuffix($0) && text.dropLast($0.count).allSatisfy { $0.isASCII && $0.isNumber } }),
              quantity.value >= 1_048_576, quantity.value <= 16 * 1_099_511_627_776
        else { return nil }
        return quantity
    }

    /// Half of a memory quantity, exact when the unit allows (`8Gi` → `4Gi`, `3Gi` → `1536Mi`, `1G` → `500M`).
    package static func half(ofMemory text: String) -> String? {
        guard let quantity = memoryLimit(text) else { return nil }
        let bytes = Int64(quantity.value.rounded())
        guard bytes % 2 == 0 else { return String(bytes / 2 + 1) }
        let half = bytes / 2
        let decimal = ["k", "M", "G", "T"].contains(where: { text.hasSuffix($0) })
        let units: [(String, Int64)] = decimal
            ? [("T", 1_000_000_000_000), ("G", 1_000_000_000), ("M", 1_000_000), ("k", 1000)]
            : [("Ti", 1_099_511_627_776), ("Gi", 1_073_741_824), ("Mi", 1_048_576), ("Ki", 1024)]
        for (unit, size) in units where half % size == 0 { return "\(half / size)\(unit)" }
        return String(half)
    }
}
