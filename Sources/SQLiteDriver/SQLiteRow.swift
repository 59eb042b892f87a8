/// One result row. Column names are shared between the rows of one query.
package struct SQLiteRow: Sendable {
    package var columns: [String]
    package var values: [SQLiteValue]

    package init(columns: [String], values: [SQLiteValue]) {
        self.columns = columns
        self.values = values
    }

    /// The value of the first column named `column` (exact match, then case-insensitive);
    /// `.null` when there is no such column.
    package subscript(_ column: String) -> SQLiteValue {
        let lowered = column.lowercased()
        if let index = columns.firstIndex(of: column) ?? columns.firstIndex(where: { $0.lowercased() == lowered }) {
            return values[index]
        }
        return .null
    }

    package subscript(index index: Int) -> SQLiteValue {
        values.indices.contains(index) ? values[index] : .null
    }
}
