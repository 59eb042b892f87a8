/// SQL identifiers (table, column, database names) that may appear in statement text: only
/// `^[a-z_][a-z0-9_]{0,62}$`, and always double-quoted, so user text can never change a statement.
package enum PostgresIdentifier {
    package static let maxLength = 63

    package static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= maxLength, isLower(first) || first == UInt8(ascii: "_") else { return false }
        return bytes.allSatisfy { isLower($0) || $0 == UInt8(ascii: "_") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// `"name"` for a valid identifier, nil otherwise.
    package static func quoted(_ name: String) -> String? {
        isValid(name) ? "\"\(name)\"" : nil
    }

    private static func isLower(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
    }
}
