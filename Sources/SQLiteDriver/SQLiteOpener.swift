import CSQLite
import Foundation

/// Opening a connection (runs on the connection's pool thread: it touches the filesystem).
enum SQLiteOpener {
    static func open(path: String, readOnly: Bool, createIfMissing: Bool) throws -> SendableHandle {
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
        if readOnly {
            flags |= SQLITE_OPEN_READONLY
        } else {
            flags |= SQLITE_OPEN_READWRITE
            if createIfMissing {
                flags |= SQLITE_OPEN_CREATE
                try createParentDirectory(of: path)
            }
        }
        var handle: OpaquePointer?
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let db = handle else {
            let error = SQLiteError.from(handle, code: rc)
            sqlite3_close_v2(handle)
            throw SQLiteError(extendedCode: error.extendedCode, message: "cannot open \(path): \(error.message)")
        }
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 5000)
        return SendableHandle(handle: db)
    }

    /// Creates missing parent directories of a plain file path (not `:memory:` or `file:` URIs).
    private static func createParentDirectory(of path: String) throws {
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file:") else { return }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw SQLiteError(
                extendedCode: SQLITE_CANTOPEN,
                message: "cannot create directory \(parent.path) for \(path): \(error.localizedDescription)")
        }
    }
}
