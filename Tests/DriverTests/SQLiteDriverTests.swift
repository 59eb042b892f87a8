import Foundation
import SQLiteDriver
import Testing

@Suite struct SQLiteDriverTests {
    private static func tempPath(_ name: String = "test.sqlite") -> String {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("sqlite-driver-\(UUID().uuidString)/nested/\(name)").path
    }

    private static func openWithTable() async throws -> (SQLiteConnection, String) {
        let path = tempPath()
        let connection = try await SQLiteConnection.open(path: path)
        try await connection.withDatabase { db in
            try db.executeScript("""
                PRAGMA journal_mode=WAL;
                CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, score REAL, data BLOB);
                """)
        }
        return (connection, path)
    }

    @Test func insertsWithBindsAndStoresInjectionVerbatim() async throws {
        let (connection, _) = try await Self.openWithTable()
        let hostile = "Robert'); DROP TABLE items; --"
        let rowID = try await connection.withDatabase { db in
            try db.execute("INSERT INTO items (name, score) VALUES (?, ?)", [.text(hostile), .real(1.5)])
            #expect(db.changes == 1)
            return db.lastInsertRowID
        }
        let rows = try await connection.withDatabase { db in
            try db.query("SELECT id, name, score, data FROM items WHERE name = ?", [.text(hostile)])
        }
        #expect(rows.count == 1)
        #expect(rows.first?["id"].int == rowID)
        #expect(rows.first?["name"].string == hostile)
        #expect(rows.first?["score"].double == 1.5)
        #expect(rows.first?["data"] == .null)
        #expect(rows.first?.columns == ["id", "name", "score", "data"])
        let tables = try await connection.withDatabase { db in
            try db.query("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        #expect(tables.map { $0["name"].string } == ["items"])
        await connection.close()
    }

    @Test func uniqueViolationIsConstraint() async throws {
        let (connection, _) = try await Self.openWithTable()
        try await connection.withDatabase { db in try db.execute("INSERT INTO items (name) VALUES (?)", ["a"]) }
        let error = await #expect(throws: SQLiteError.self) {
            try await connection.withDatabase { db in try db.execute("INSERT INTO items (name) VALUES (?)", ["a"]) }
        }
        #expect(error?.isConstraint == true)
        #expect(error?.code == 19)
        #expect(error?.description.hasPrefix("sqlite: UNIQUE constraint failed") == true)
        await connection.close()
    }

    @Test func transactionRollsBackOnThrow() async throws {
        struct Boom: Error {}
        let (connection, _) = try await Self.openWithTable()
        await #expect(throws: Boom.self) {
            try await connection.withDatabase { db in
                try db.transaction { tx in
                    try tx.execute("INSERT INTO items (name) VALUES (?)", ["doomed"])
                    throw Boom()
                }
            }
        }
        let count = try await connection.withDatabase { db in
            try db.transaction { tx in
                try tx.execute("INSERT INTO items (name) VALUES (?)", ["kept"])
                return try tx.query("SELECT count(*) AS n FROM items")[0]["n"].int
            }
        }
        #expect(count == 1)
        let names = try await connection.withDatabase { db in try db.query("SELECT name FROM items") }
        #expect(names.map { $0["name"].string } == ["kept"])
        await connection.close()
    }

    @Test func readOnlyRefusesWrites() async throws {
        let (writer, path) = try await Self.openWithTable()
        await writer.close()
        let reader = try await SQLiteConnection.open(path: path, readOnly: true)
        let error = await #expect(throws: SQLiteError.self) {
            try await reader.withDatabase { db in try db.execute("INSERT INTO items (name) VALUES ('x')") }
        }
        #expect(error?.isReadOnly == true)
        let rows = try await reader.withDatabase { db in try db.query("SELECT * FROM items") }
        #expect(rows.isEmpty)
        await reader.close()
    }

    @Test func missingFileWithoutCreateThrowsAndCreatesNothing() async throws {
        let path = Self.tempPath("absent.sqlite")
        let error = await #expect(throws: SQLiteError.self) {
            try await SQLiteConnection.open(path: path, createIfMissing: false)
        }
        #expect(error?.isCantOpen == true)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: (path as NSString).deletingLastPathComponent))
    }

    @Test func hundredConcurrentCallsAllComplete() async throws {
        let (connection, _) = try await Self.openWithTable()
        let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
            for index in 0..<100 {
                group.addTask {
                    try await connection.withDatabase { db in
                        try db.execute("INSERT INTO items (name, score) VALUES (?, ?)", [.text("n\(index)"), .integer(Int64(index))])
                        return db.lastInsertRowID
                    }
                }
            }
            var ids: [Int64] = []
            for try await id in group { ids.append(id) }
            return ids
        }
        #expect(Set(ids).count == 100)
        let count = try await connection.withDatabase { db in try db.query("SELECT count(*) AS n FROM items")[0]["n"].int }
        #expect(count == 100)
        await connection.close()
    }

    @Test func blobAndEdgeValuesRoundTrip() async throws {
        let (connection, _) = try await Self.openWithTable()
        let blob: [UInt8] = [0, 1, 2, 0xFF, 0, 0x7F]
        let rows = try await connection.withDatabase { db in
            try db.execute("INSERT INTO items (name, data) VALUES (?, ?)", ["bin", .blob(blob)])
            try db.execute("INSERT INTO items (name, data) VALUES (?, ?)", ["", .blob([])])
            try db.execute("INSERT INTO items (name, data) VALUES (?, ?)", [.text("nul\u{0}inside ü"), .null])
            return try db.query("SELECT name, data FROM items ORDER BY id")
        }
        #expect(rows.map { $0["name"].string } == ["bin", "", "nul\u{0}inside ü"])
        #expect(rows.map { $0["data"] } == [.blob(blob), .blob([]), .null])
        await connection.close()
    }

    @Test func closedConnectionRejectsWorkAndMultiStatementNeedsScript() async throws {
        let (connection, _) = try await Self.openWithTable()
        let multi = await #expect(throws: SQLiteError.self) {
            try await connection.withDatabase { db in try db.execute("SELECT 1; SELECT 2") }
        }
        #expect(multi?.description.contains("executeScript") == true)
        try await connection.withDatabase { db in try db.execute("SELECT 1; -- trailing comment") }
        await connection.close()
        await connection.close()
        await #expect(throws: SQLiteError.self) {
            try await connection.withDatabase { db in try db.query("SELECT 1") }
        }
        #expect(SQLiteConnection.libraryVersion().hasPrefix("3."))
    }
}
