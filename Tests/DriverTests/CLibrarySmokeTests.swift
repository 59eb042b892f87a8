import CCurl
import CHiredis
import CLibPQ
import CSQLite
import HTTPDriver
import PostgresDriver
import RedisDriver
import Testing

@Suite struct CLibrarySmokeTests {
    @Test func libcurl() throws {
        let version = try #require(curl_version())
        #expect(String(cString: version).contains("libcurl"))
        #expect(HTTPClient.libcurlVersion().contains("libcurl"))
    }

    @Test func hiredis() {
        let reader = redisReaderCreate()
        #expect(reader != nil)
        redisReaderFree(reader)
        #expect(RedisLibrary.readerSmokeTest())
        #expect(RedisLibrary.hiredisVersion.split(separator: ".").count == 3)
    }

    @Test func libpq() {
        #expect(PQlibVersion() >= 100_000)
        #expect(PostgresLibrary.libpqVersion == PQlibVersion())
    }

    @Test func sqlite() {
        #expect(sqlite3_libversion_number() >= 3_030_000)
    }
}
