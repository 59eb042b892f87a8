/// One field, decoded by its column's type OID: integers, floats and booleans typed; everything
/// else (numeric, timestamps, intervals, names, arrays…) as PostgreSQL's text output.
package enum PostgresValue: Sendable, Equatable, CustomStringConvertible {
    case null
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case text(String)

    package var int: Int64? {
        if case .int(let value) = self { return value }
        return nil
    }

    package var double: Double? {
        switch self {
        case .double(let value): return value
        case .int(let value): return Double(value)
        default: return nil
        }
    }

    package var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// Text as is, numbers and booleans formatted; nil for NULL.
    package var string: String? {
        switch self {
        case .null: return nil
        case .int(let value): return String(value)
        case .double(let value): return String(value)
        case .bool(let value): return value ? "true" : "false"
        case .text(let value): return value
        }
    }

    package var isNull: Bool { self == .null }

    package var description: String { string ?? "NULL" }
}

/// One row of a result; columns are looked up by name (the first of that name).
package struct PostgresRow: Sendable {
    package let columns: [String]
    package let values: [PostgresValue]

    package init(columns: [String], values: [PostgresValue]) {
        self.columns = columns
        self.values = values
    }

    /// The value of `column`, `.null` if there is no such column.
    package subscript(_ column: String) -> PostgresValue {
        guard let index = columns.firstIndex(of: column), index < values.count else { return .null }
        return values[index]
    }
}

/// The rows of one statement plus its command tag (`SELECT 3`, `CREATE INDEX`…).
package struct PostgresResult: Sendable {
    package let columns: [String]
    package let rows: [PostgresRow]
    package let commandTag: String

    package init(columns: [String], rows: [PostgresRow], commandTag: String) {
        self.columns = columns
        self.rows = rows
        self.commandTag = commandTag
    }
}

extension PostgresValue {
    /// Type OIDs from `pg_type.dat` (stable across server versions).
    enum TypeOID {
        static let bool: UInt32 = 16
        static let int8: UInt32 = 20
        static let int2: UInt32 = 21
        static let int4: UInt32 = 23
        static let float4: UInt32 = 700
        static let float8: UInt32 = 701
    }

    /// Decodes PostgreSQL's text output format for a column of type `oid`.
    init(text: String, oid: UInt32) {
        switch oid {
        case TypeOID.int2, TypeOID.int4, TypeOID.int8:
            self = Int64(text).map(PostgresValue.int) ?? .text(text)
        case TypeOID.float4, TypeOID.float8:
            switch text {
            case "NaN": self = .double(.nan)
            case "Infinity": self = .double(.infinity)
            case "-Infinity": self = .double(-.infinity)
            default: self = Double(text).map(PostgresValue.double) ?? .text(text)
            }
        case TypeOID.bool:
            self = text == "t" ? .bool(true) : text == "f" ? .bool(false) : .text(text)
        default:
            self = .text(text)
        }
    }
}
