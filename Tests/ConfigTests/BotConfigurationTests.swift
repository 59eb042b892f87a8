import BotConfig
import Foundation
import Testing

@Suite("BotConfiguration.load")
struct BotConfigurationLoadTests {
    func load(env: [String: String] = [:], yaml: String?) throws -> BotConfiguration {
        let dir = try ConfigTempDirectory()
        let file = try yaml.map { try dir.write("hybridbot.yaml", $0) }
        return try BotConfiguration.load(environment: env, configFile: file)
    }

    /// The error `load` throws for `yaml`, with the temporary directory replaced by `DIR`.
    func loadError(env: [String: String] = [:], yaml: String) throws -> String {
        let dir = try ConfigTempDirectory()
        let file = try dir.write("hybridbot.yaml", yaml)
        do {
            let config = try BotConfiguration.load(environment: env, configFile: file)
            Issue.record("loaded \(config.values), expected an error")
            return ""
        } catch {
            return error.description.replacingOccurrences(of: dir.path, with: "DIR")
        }
    }

    @Test("no file, no environment: every default applies")
    func defaultsWhenUnset() throws {
        let config = try BotConfiguration.load(environment: [:], configFile: nil)
        #expect(config.values.isEmpty)
        for (key, value) in BotConfiguration.defaults {
            #expect(config[key] == value, "\(key)")
        }
        #expect(config["SLACK_SIGNING_SECRET"] == nil)
        #expect(config["KUBERNETES_TOKEN"] == nil)
        #expect(config.databasePath == "./data/hybridbot.sqlite")
        #expect(config.slashCommand == "/hybrid")
        #expect(config.pluginsPath == "./plugins")
        #expect(config.permissionsPath == "./permissions.yaml")
        #expect(config.effective == BotConfiguration.defaults)
    }

    @Test("defaults", arguments: [
        ("HYBRIDBOT_LISTEN", "127.0.0.1:8080"), ("HYBRIDBOT_DB", "./data/hybridbot.sqlite"),
        ("HYBRIDBOT_COMMAND", "/hybrid"), ("KUBERNETES_NAMESPACE", "hybrid-ai"), ("LOG_LEVEL", "info"),
        ("LOG_FORMAT", "text"), ("HYBRIDBOT_LEASE_SECONDS", "30"), ("SLACK_API_URL", "https://slack.com/api"),
    ])
    func documentedDefault(key: String, value: String) throws {
        #expect(try BotConfiguration.load(environment: [:], configFile: nil)[key] == value)
        // An empty value counts as unset.
        #expect(try BotConfiguration.load(environment: [key: ""], configFile: nil)[key] == value)
        #expect(try BotConfiguration.load(environment: [key: "custom"], configFile: nil)[key] == "custom")
    }

    @Test("the environment wins over the file; the file fills the rest")
    func environmentWins() throws {
        let config = try load(
            env: ["HYBRIDBOT_LISTEN": "127.0.0.1:7000", "LOG_LEVEL": "debug"],
            yaml: """
                hybridbot_listen: "0.0.0.0:9000"
                hybridbot_db: /var/lib/hybridbot/bot.sqlite
                log_level: warning
                """)
        #expect(config["HYBRIDBOT_LISTEN"] == "127.0.0.1:7000")
        #expect(config["LOG_LEVEL"] == "debug")
        #expect(config["HYBRIDBOT_DB"] == "/var/lib/hybridbot/bot.sqlite")
        #expect(config.databasePath == "/var/lib/hybridbot/bot.sqlite")
        #expect(config.values["HYBRIDBOT_DB"] == "/var/lib/hybridbot/bot.sqlite")
        #expect(config.values["hybridbot_db"] == nil, "file keys are stored under their environment names")
        #expect(config["LOG_FORMAT"] == "text")
    }

    @Test("an empty environment variable does not mask the file's value")
    func emptyEnvironmentDoesNotMaskFile() throws {
        // e.g. docker compose passing `SLACK_SIGNING_SECRET: ${SLACK_SIGNING_SECRET}` unset on the host.
        let config = try load(
            env: ["SLACK_SIGNING_SECRET": "", "HYBRIDBOT_DB": ""],
            yaml: """
                slack_signing_secret: from-the-file-123
                hybridbot_db: /srv/bot.sqlite
                """)
        #expect(config["HYBRIDBOT_DB"] == "/srv/bot.sqlite")
        #expect(config["SLACK_SIGNING_SECRET"] == "from-the-file-123")
    }

    @Test("environment variables the bot does not know are ignored")
    func unknownEnvironmentIgnored() throws {
        let config = try BotConfiguration.load(environment: ["PATH": "/usr/bin", "HOME": "/root", "hybridbot_listen": "x:1"], configFile: nil)
        #expect(config.values.isEmpty)
        #expect(config["HYBRIDBOT_LISTEN"] == "127.0.0.1:8080", "environment names are upper case only")
    }

    @Test("every known key is accepted in the file in lower case", arguments: BotConfiguration.knownKeys)
    func everyKnownKeyInFile(key: String) throws {
        let config = try load(yaml: "\(key.lowercased()): from-file-value\n")
        #expect(config.values == [key: "from-file-value"])
        #expect(config[key] == "from-file-value")
    }

    @Test("scalars of any YAML type are read as their text", arguments: [
        ("hybridbot_lease_seconds: 45", "HYBRIDBOT_LEASE_SECONDS", "45"),
        ("hybridbot_listen: '[::1]:9000'", "HYBRIDBOT_LISTEN", "[::1]:9000"),
        ("log_format: json   # comment", "LOG_FORMAT", "json"),
        ("hybrid_api_url: \"http://api:8000\"", "HYBRID_API_URL", "http://api:8000"),
    ])
    func scalarTypes(yaml: String, key: String, expected: String) throws {
        #expect(try load(yaml: yaml)[key] == expected)
    }

    @Test("an empty file or one with only comments sets nothing", arguments: [
        "", "# nothing here\n", "\n\n", "---\n", "---\n# hybridbot_listen: 127.0.0.1:8080\n# log_level: debug\n",
    ])
    func emptyFile(yaml: String) throws {
        #expect(try load(yaml: yaml).values.isEmpty)
    }

    @Test("an unknown key is an error naming file and line")
    func unknownKey() throws {
        let message = try loadError(yaml: """
            # settings
            hybridbot_listen: 127.0.0.1:8080
            hybridbot_lisen: 127.0.0.1:9090
            log_level: info
            """)
        #expect(message.hasPrefix("DIR/hybridbot.yaml:3: "), "\(message)")
        #expect(message.contains("hybridbot_lisen"))
    }

    @Test("line numbers point at the offending key", arguments: [1, 2, 5, 12])
    func lineNumbers(line: Int) throws {
        // Distinct valid keys before the bad one (duplicate keys would be a YAML error of their own).
        let before = BotConfiguration.knownKeys.prefix(line - 1).map { "\($0.lowercased()): x" }
        let yaml = (before + ["no_such_setting: 1", "log_format: text"]).joined(separator: "\n")
        let message = try loadError(yaml: yaml)
        #expect(message.hasPrefix("DIR/hybridbot.yaml:\(line): "), "\(message)")
    }

    @Test("upper- or mixed-case keys are errors", arguments: ["HYBRIDBOT_LISTEN", "Hybridbot_Listen", "SLACK_SIGNING_SECRET"])
    func upperCaseKey(key: String) throws {
        let message = try loadError(yaml: "log_level: info\n\(key): value-123456\n")
        #expect(message.hasPrefix("DIR/hybridbot.yaml:2: "), "\(message)")
        #expect(message.contains("'\(key)'"))
        #expect(!message.contains("value-123456"), "the value is not echoed")
    }

    @Test("a non-scalar value is an error", arguments: [
        "slack_signing_secret:\n  - topsecret-value-1\n  - topsecret-value-2\n",
        "slack_signing_secret: [topsecret-value-1]\n",
        "slack_signing_secret: {a: topsecret-value-1}\n",
        "slack_signing_secret:\n  nested: topsecret-value-1\n",
    ])
    func nonScalar(yaml: String) throws {
        let message = try loadError(yaml: yaml)
        #expect(message.hasPrefix("DIR/hybridbot.yaml:1: "), "\(message)")
        #expect(message.contains("slack_signing_secret"))
        #expect(message.contains("single value"))
        #expect(!message.contains("topsecret-value"))
    }

    @Test("broken YAML is an error naming the file, without echoing its text", arguments: [
        "slack_signing_secret: \"topsecret-value-1\n",
        "log_level: info\n  slack_bot_token: topsecret-value-1\n bad",
        "slack_signing_secret: [topsecret-value-1\n",
        "\tslack_signing_secret: topsecret-value-1\n",
    ])
    func brokenYAML(yaml: String) throws {
        let message = try loadError(yaml: yaml)
        #expect(message.hasPrefix("DIR/hybridbot.yaml"), "\(message)")
        #expect(message.contains("YAML"))
        #expect(!message.contains("topsecret-value"))
    }

    @Test("a YAML syntax error names the line it is on")
    func brokenYAMLLine() throws {
        let message = try loadError(yaml: "log_level: info\nlog_format: text\n\tslack_bot_token: x\n")
        #expect(message.hasPrefix("DIR/hybridbot.yaml:3: "), "\(message)")
    }

    @Test("a file that is not a mapping is an error", arguments: ["- a\n- b\n", "just a string\n", "42\n"])
    func notAMapping(yaml: String) throws {
        let message = try loadError(yaml: yaml)
        #expect(message.hasPrefix("DIR/hybridbot.yaml:1: "), "\(message)")
        #expect(message.contains("mapping"))
    }

    @Test("a missing file is an error naming it")
    func missingFile() throws {
        let dir = try ConfigTempDirectory()
        let path = dir.path + "/absent.yaml"
        #expect {
            _ = try BotConfiguration.load(environment: [:], configFile: path)
        } throws: { error in
            (error as? ConfigurationError)?.description.contains(path) == true
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("a file that is not UTF-8 text is an error")
    func notUTF8() throws {
        let dir = try ConfigTempDirectory()
        let path = dir.path + "/binary.yaml"
        try Data([0x6c, 0x6f, 0x67, 0x3a, 0x20, 0xff, 0xfe, 0x0a]).write(to: URL(fileURLWithPath: path))
        #expect(throws: ConfigurationError.self) { _ = try BotConfiguration.load(environment: [:], configFile: path) }
    }
}

@Suite("BotConfiguration settings")
struct BotConfigurationSettingsTests {
    @Test("listen addresses that parse", arguments: [
        ("127.0.0.1:8080", "127.0.0.1", 8080),
        ("[::1]:9000", "::1", 9000),
        ("0.0.0.0:0", "0.0.0.0", 0),
        ("localhost:65535", "localhost", 65535),
        ("[fd00::10]:443", "fd00::10", 443),
    ])
    func listenParses(text: String, host: String, port: Int) throws {
        let config = BotConfiguration(values: ["HYBRIDBOT_LISTEN": text])
        let listen = try config.listen
        #expect(listen.host == host)
        #expect(listen.port == port)
    }

    @Test("listen addresses that are errors", arguments: [
        "8080", "host:", "host:99999", ":80", "host:65536", "host:-1", "host:http", "[]:80", "127.0.0.1",
    ])
    func listenErrors(text: String) {
        let config = BotConfiguration(values: ["HYBRIDBOT_LISTEN": text])
        #expect {
            _ = try config.listen
        } throws: { error in
            (error as? ConfigurationError)?.description.contains("HYBRIDBOT_LISTEN") == true
        }
    }

    @Test("listen defaults to 127.0.0.1:8080")
    func listenDefault() throws {
        let listen = try BotConfiguration(values: [:]).listen
        #expect(listen.host == "127.0.0.1")
        #expect(listen.port == 8080)
    }

    static let otherSecrets: [String: String] = [
        "SLACK_BOT_TOKEN": "xoxb-other-secret-1111",
        "HYBRIDBOT_RELAY_TOKEN": "relay-other-secret-2222",
        "PAGERDUTY_WEBHOOK_SECRETS": "pd-other-secret-3333,pd-other-secret-4444",
        "KUBERNETES_TOKEN": "k8s-other-secret-5555",
        "HYBRID_API_KEY": "api-other-secret-6666",
        "DATABASE_URL": "postgresql://bot:db-other-secret-7777@db/hybrid_ai",
    ]

    @Test("a missing or empty signing secret is an error naming SLACK_SIGNING_SECRET, and only that", arguments: [nil, ""] as [String?])
    func missingSigningSecret(value: String?) throws {
        var env = Self.otherSecrets
        env["SLACK_SIGNING_SECRET"] = value
        let config = try BotConfiguration.load(environment: env, configFile: nil)
        do {
            let secret = try config.signingSecret
            Issue.record("got a signing secret \(secret.count) characters long")
        } catch {
            #expect(error.description.contains("SLACK_SIGNING_SECRET"))
            for secret in config.secrets where !secret.isEmpty {
                #expect(!error.description.contains(secret), "the error leaks another secret")
            }
            for value in Self.otherSecrets.values {
                #expect(!error.description.contains(value))
            }
        }
    }

    @Test("the signing secret comes from the environment or the file")
    func signingSecret() throws {
        #expect(try BotConfiguration(values: ["SLACK_SIGNING_SECRET": "abc123signing"]).signingSecret == "abc123signing")
        let dir = try ConfigTempDirectory()
        let file = try dir.write("bot.yaml", "slack_signing_secret: file-signing-secret\n")
        #expect(try BotConfiguration.load(environment: [:], configFile: file).signingSecret == "file-signing-secret")
    }

    @Test("secrets: values of secret keys, comma-separated parts, URL passwords; nothing else")
    func secrets() throws {
        let config = BotConfiguration(values: Self.otherSecrets.merging([
            "SLACK_SIGNING_SECRET": "signing-secret-0000",
            "LOG_LEVEL": "debug",
            "HYBRIDBOT_LISTEN": "127.0.0.1:8080",
            "PROMETHEUS_URL": "http://prometheus:9090",
        ]) { a, _ in a })
        let secrets = Set(config.secrets)
        for expected in [
            "signing-secret-0000", "xoxb-other-secret-1111", "relay-other-secret-2222", "pd-other-secret-3333",
            "pd-other-secret-4444", "pd-other-secret-3333,pd-other-secret-4444", "k8s-other-secret-5555",
            "api-other-secret-6666", "db-other-secret-7777",
        ] {
            #expect(secrets.contains(expected), "\(expected)")
        }
        #expect(!secrets.contains("debug"))
        #expect(!secrets.contains("127.0.0.1:8080"))
        #expect(!secrets.contains(where: { $0.contains("prometheus") }))
        #expect(!secrets.contains(Self.otherSecrets["DATABASE_URL"]!), "DATABASE_URL is not a secret key, only its password is")
    }

    @Test("URL passwords are secrets, percent-decoded exactly once", arguments: [
        ("DATABASE_URL", "postgresql://bot:pw%40x@db/hybrid_ai", "pw@x"),
        ("DATABASE_URL", "postgresql://bot:plain-password@db:5432/hybrid_ai", "plain-password"),
        ("REDIS_URL", "redis://:redis-pass@redis:6379/0", "redis-pass"),
        ("PROMETHEUS_URL", "https://admin:s3cr%2Ft@prom.example/", "s3cr/t"),
        ("DATABASE_URL", "postgresql://bot:100%25sure@db/x", "100%sure"),
        ("DATABASE_URL", "postgresql://bot:p%2541ss@db/x", "p%41ss"),
    ])
    func urlPasswords(key: String, url: String, password: String) {
        let secrets = BotConfiguration(values: [key: url]).secrets
        #expect(secrets.contains(password), "\(secrets)")
    }

    @Test("URLs without a password contribute no secret", arguments: [
        "postgresql://bot@db/hybrid_ai", "redis://127.0.0.1:6379/0", "http://127.0.0.1:9090", "not a url", "postgresql://bot:@db/x",
    ])
    func urlWithoutPassword(url: String) {
        #expect(BotConfiguration(values: ["DATABASE_URL": url]).secrets.isEmpty)
    }

    @Test("effective settings: defaults overlaid with set, non-empty values")
    func effective() {
        let config = BotConfiguration(values: ["LOG_LEVEL": "debug", "LOG_FORMAT": "", "KUBERNETES_TOKEN": "tok-123456"])
        let effective = config.effective
        #expect(effective["LOG_LEVEL"] == "debug")
        #expect(effective["LOG_FORMAT"] == "text")
        #expect(effective["KUBERNETES_TOKEN"] == "tok-123456")
        #expect(effective["KUBERNETES_NAMESPACE"] == "hybrid-ai")
    }
}

@Suite struct URLPasswordRedactionTests {
    /// A password a lenient driver accepts (unencoded `@` and `/`) is still known as a secret, raw and decoded.
    @Test func lenientlyParsedPasswordsAreSecrets() {
        let passwords = BotConfiguration.urlPasswords([
            "DATABASE_URL": "postgresql://bot:p@ss/w0rd@db.internal:5432/hybrid_ai",
            "REDIS_URL": "redis://:s3cr%40t@127.0.0.1:6379/0",
        ])
        #expect(passwords.contains("p@ss/w0rd"))
        #expect(passwords.contains("s3cr@t"))
        #expect(passwords.contains("s3cr%40t"))
    }
}
