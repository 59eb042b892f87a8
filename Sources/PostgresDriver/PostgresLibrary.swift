import CLibPQ

/// Link-level facts about libpq.
package enum PostgresLibrary {
    /// `PQlibVersion()`, e.g. 150010 for 15.10.
    package static var libpqVersion: Int32 { PQlibVersion() }
}
