// swift-tools-version:6.2
import PackageDescription

// Our own targets: Swift 6 language mode (the tools default) and every warning an error.
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "hybridbot",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hybridbot", targets: ["HybridBot"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // C libraries: one door each, linked through pkg-config.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // glibc's pipe2 and posix_spawn_file_actions_addclosefrom_np (hidden behind _GNU_SOURCE from Swift's Glibc).
        .systemLibrary(name: "CSpawn"),

        // Drivers: thin safe Swift over the C modules; blocking calls never on the cooperative pool.
        .target(name: "SQLiteDriver", dependencies: [
            "CSQLite", .product(name: "NIOPosix", package: "swift-nio"),
        ], swiftSettings: strict),
        .target(name: "BlockingWorkers", swiftSettings: strict),
        .target(name: "DriverSupport", swiftSettings: strict),
        .target(name: "HTTPDriver", dependencies: ["CCurl", "BlockingWorkers"], swiftSettings: strict),
        .target(name: "RedisDriver", dependencies: ["CHiredis", "BlockingWorkers", "DriverSupport"], swiftSettings: strict),
        .target(name: "PostgresDriver", dependencies: ["CLibPQ", "BlockingWorkers", "DriverSupport"], swiftSettings: strict),

        // Pure domain: parsing, routing, permission decisions. No I/O.
        .target(name: "BotCore", dependencies: [.product(name: "Crypto", package: "swift-crypto")], swiftSettings: strict),
        .target(name: "Plugins", dependencies: ["BotCore", "Yams"], swiftSettings: strict),
        .target(name: "BotConfig", dependencies: ["Yams"], swiftSettings: strict),
        .target(name: "Slack", dependencies: [
            "BotCore", "HTTPDriver", .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        .target(name: "Actions", dependencies: [
            "BotCore", "HTTPDriver", "RedisDriver", "PostgresDriver", "CSpawn", .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        // PagerDuty: v3 webhook verification and parsing, REST API (incidents) and Events API v2 clients.
        .target(name: "PagerDuty", dependencies: [
            "BotCore", "HTTPDriver", .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        .target(name: "Store", dependencies: [
            "SQLiteDriver", "BotCore", .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        // The scale-out inbox: a Redis Stream with a consumer group (HYBRIDBOT_INBOX=redis://…).
        .target(name: "RedisInbox", dependencies: ["Store", "RedisDriver", "BotCore"], swiftSettings: strict),
        // A core's side of the relay API: long-poll, acks, leases and the store calls, over libcurl (outbound only).
        .target(name: "RelayClient", dependencies: [
            "Store", "HTTPDriver", "BotCore", .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        .target(name: "Engine", dependencies: [
            "BotCore", "Slack", "Actions", "Store", "PagerDuty",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),
        .target(name: "BotServer", dependencies: [
            "BotCore", "Slack", "Store", "Engine", "PagerDuty", .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ], swiftSettings: strict),
        .executableTarget(name: "HybridBot", dependencies: [
            "BotServer", "RelayClient", "RedisInbox", "RedisDriver", "Engine", "Plugins", "Store", "Slack", "HTTPDriver", "Actions", "BotConfig", "BotCore", "PagerDuty",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ], swiftSettings: strict),

        // Shared test helpers (a throwaway redis-server); linked only into test targets.
        .target(name: "TestSupport", dependencies: [
            "RedisDriver", "PostgresDriver", .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "ActionsTests", dependencies: [
            "Actions", "BotCore", "HTTPDriver", "RedisDriver", "PostgresDriver", "TestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
        ], swiftSettings: strict),
        .testTarget(name: "PagerDutyTests", dependencies: [
            "PagerDuty", "BotCore", "HTTPDriver", "TestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
        ], swiftSettings: strict),
        .testTarget(name: "DriverTests", dependencies: [
            "SQLiteDriver", "HTTPDriver", "RedisDriver", "PostgresDriver",
            "CCurl", "CHiredis", "CLibPQ", "CSQLite", "TestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
        ], swiftSettings: strict),
        .testTarget(name: "BotCoreTests", dependencies: ["BotCore"], swiftSettings: strict),
        .testTarget(name: "PluginsTests", dependencies: ["Plugins", "BotCore", "Actions"], swiftSettings: strict),
        .testTarget(name: "SlackTests", dependencies: ["Slack"], swiftSettings: strict),
        .testTarget(name: "RedisInboxTests", dependencies: ["RedisInbox", "Store", "RedisDriver", "BotCore", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "StoreTests", dependencies: ["Store", "BotCore"], swiftSettings: strict),
        .testTarget(name: "ConfigTests", dependencies: ["BotConfig", "Actions"], swiftSettings: strict),
        .testTarget(name: "EndToEndTests", dependencies: [
            "BotServer", "Engine", "Plugins", "Store", "Slack", "Actions", "HTTPDriver", "BotConfig", "BotCore", "RedisDriver", "TestSupport",
            "PagerDuty", "PostgresDriver", "RelayClient",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ], swiftSettings: strict),
    ]
)
