import CSQLite

/// A prepared statement owned by one ``SQLiteDatabase`` (same thread confinement).
struct Statement {
    let handle: OpaquePointer

    func bind(_ values: [SQLiteValue], db: OpaquePointer) throws {
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard expected == values.count else {
            throw SQLiteError(
                extendedCode: SQLITE_RANGE,
                message: "statement expects \(expected) bound parameter(s), got \(values.count)")
        }
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null:
                rc = sqlite3_bind_null(handle, index)
            case .integer(let int):
                rc = sqlite3_bind_int64(handle, index, int)
            case .real(let double):
                rc = sqlite3_bind_double(handle, index, double)
            case .text(let text):
                // withCString always yields a non-nil pointer (an empty string must not bind NULL);
                // the explicit byte length keeps embedded NULs.
                let length = UInt64(text.utf8.count)
                rc = text.withCString {
                    sqlite3_bind_text64(handle, index, $0, length, hb_sqlite_transient(), UInt8(SQLITE_UTF8))
                }
            case .blob(let bytes):
                if bytes.isEmpty {
                    rc = sqlite3_bind_zeroblob(handle, index, 0)
                } else {
                    rc = bytes.withUnsafeBytes {
                        sqlite3_bind_blob64(handle, index, $0.baseAddress, UInt64($0.count), hb_sqlite_transient())
                    }
                }
            }
            guard rc == SQLITE_OK else { throw SQLiteError.from(db, code: rc) }
        }
    }

    /// Steps to completion; `onRow` is called for every row while the statement points at it.
    func run(db: OpaquePointer, onRow: (Statement) -> Void) throws {
        while true {
            let rc = sqlite3_step(handle)
            switch rc {
            case SQLITE_ROW: onRow(self)
            case SQLITE_DONE: return
            default: throw SQLiteError.from(db, code: rc)
            }
        }
    }

    func columnNames() -> [String] {
        (0..<sqlite3_column_count(handle)).map { index in
            sqlite3_column_name(handle, index).map { String(cString: $0) } ?? "column\(index)"
        }
    }

    func currentValues(count: Int) -> [SQLiteValue] {
        (0..<Int32(count)).map(value(at:))
    }

    private func value(at index: Int32) -> SQLiteValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(handle, index))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(handle, index))
        case SQLITE_TEXT:
            guard let text = sqlite3_column_text(handle, index) else { return .text("") }
            let count = Int(sqlite3_column_bytes(handle, index))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            guard let blob = sqlite3_column_blob(handle, index) else { return .blob([]) }
            let count = Int(sqlite3_column_bytes(handle, index))
            return .blob(Array(UnsafeRawBufferPointer(start: blob, count: count)))
        default:
            return .null
        }
    }

    /// Makes the statement reusable: resets it and drops bound values (which may hold secrets).
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }
}
