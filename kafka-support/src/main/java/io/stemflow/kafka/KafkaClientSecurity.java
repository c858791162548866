package io.stemflow.kafka;

import io.stemflow.service.Settings;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/**
 * The Kafka client security of a service: the one reader of the {@code STEMFLOW_KAFKA_*} security settings that
 * every service, the CLI and the local stack use, and the client properties it yields. A service applies it to
 * each producer, consumer, admin client and Streams configuration it builds ({@link #applyTo(Map)}), after its own
 * settings.
 *
 * <p>What it reads (README's settings table): the security protocol; a SASL mechanism (PLAIN, SCRAM-SHA-256,
 * SCRAM-SHA-512) with a user name and a password ({@code X} or {@code X_FILE}); a trust store (a private CA or a
 * self-signed broker certificate) and, for mutual TLS, a key store, each with its password and type; and a Kafka
 * client {@code .properties} file for any other standard client property (another SASL mechanism's JAAS
 * configuration, {@code ssl.endpoint.identification.algorithm}, timeouts). The named settings win over the file.
 *
 * <p>Checked at start, every problem reported into the {@link Settings} with the variable's name: an unknown
 * protocol or mechanism, SASL or TLS settings that the protocol would ignore, a user without a password, a store
 * that cannot be read, a file property that is no client property or that stemflow owns (the bootstrap servers,
 * serializers, group and transactional ids, acks, idempotence, isolation: a file must not be able to weaken
 * exactly-once). A password never appears in a message, in {@link #toString()} or in {@link #describe()}; in the
 * properties it sits in {@code sasl.jaas.config} and the store passwords, which Kafka's clients log as
 * {@code [hidden]}.
 */
public final class KafkaClientSecurity {

    public static final String SECURITY_PROTOCOL = "STEMFLOW_KAFKA_SECURITY_PROTOCOL";
    public static final String SASL_MECHANISM = "STEMFLOW_KAFKA_SASL_MECHANISM";
    public static final String SASL_USERNAME = "STEMFLOW_KAFKA_SASL_USERNAME";
    /** Or {@code STEMFLOW_KAFKA_SASL_PASSWORD_FILE}. */
    public static final String SASL_PASSWORD = "STEMFLOW_KAFKA_SASL_PASSWORD";
    public static final String TRUSTSTORE_LOCATION = "STEMFLOW_KAFKA_SSL_TRUSTSTORE_LOCATION";
    /** Or {@code STEMFLOW_KAFKA_SSL_TRUSTSTORE_PASSWORD_FILE}. */
    public static final String TRUSTSTORE_PASSWORD = "STEMFLOW_KAFKA_SSL_TRUSTSTORE_PASSWORD";
    public static final String TRUSTSTORE_TYPE = "STEMFLOW_KAFKA_SSL_TRUSTSTORE_TYPE";
    public static final String KEYSTORE_LOCATION = "STEMFLOW_KAFKA_SSL_KEYSTORE_LOCATION";
    /** Or {@code STEMFLOW_KAFKA_SSL_KEYSTORE_PASSWORD_FILE}. */
    public static final String KEYSTORE_PASSWORD = "STEMFLOW_KAFKA_SSL_KEYSTORE_PASSWORD";
    public static final String KEYSTORE_TYPE = "STEMFLOW_KAFKA_SSL_KEYSTORE_TYPE";
    /** Or {@code STEMFLOW_KAFKA_SSL_KEY_PASSWORD_FILE}. */
    public static final String KEY_PASSWORD = "STEMFLOW_KAFKA_SSL_KEY_PASSWORD";
    public static final String CLIENT_PROPERTIES_FILE = "STEMFLOW_KAFKA_CLIENT_PROPERTIES_FILE";

    /** Every variable this class reads (the {@code _FILE} forms included), for a service's list of known names. */
    public static final List<String> SETTINGS = List.of(SECURITY_PROTOCOL, SASL_MECHANISM, SASL_USERNAME, SASL_PASSWORD,
            SASL_PASSWORD + Settings.FILE_SUFFIX, TRUSTSTORE_LOCATION, TRUSTSTORE_PASSWORD,
            TRUSTSTORE_PASSWORD + Settings.FILE_SUFFIX, TRUSTSTORE_TYPE, KEYSTORE_LOCATION, KEYSTORE_PASSWORD,
            KEYSTORE_PASSWORD + Settings.FILE_SUFFIX, KEYSTORE_TYPE, KEY_PASSWORD, KEY_PASSWORD + Settings.FILE_SUFFIX,
            CLIENT_PROPERTIES_FILE);

    /** SASL mechanisms configured by the named settings; any other goes through the properties file. */
    public static final List<String> MECHANISMS = List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");
    private static final List<String> PROTOCOLS = List.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
    private static final List<String> STORE_TYPES = List.of("JKS", "PKCS12", "PEM");

    /** Client properties stemflow sets itself for correctness; a properties file may not set them. */
    private static final Set<String> OWNED = Set.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            ConsumerConfig.GROUP_ID_CONFIG, ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, ConsumerConfig.GROUP_PROTOCOL_CONFIG,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, ProducerConfig.TRANSACTIONAL_ID_CONFIG,
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, ProducerConfig.ACKS_CONFIG);

    private static final KafkaClientSecurity NONE = new KafkaClientSecurity(Map.of(), "PLAINTEXT");

    private final Map<String, String> properties;
    private final String description;

    private KafkaClientSecurity(final Map<String, String> properties, final String description) {
        this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
        this.description = description;
    }

    /** No security: PLAINTEXT, no properties. */
    public static KafkaClientSecurity none() {
        return NONE;
    }

    /**
     * Reads the settings; every problem goes into {@code settings} (the caller's {@link Settings#throwIfProblems()}
     * reports them with its own). With problems, the result is {@link #none()}.
     */
    public static KafkaClientSecurity read(final Settings settings) {
        final int before = settings.problems().size();
        final Map<String, String> p = new LinkedHashMap<>();
        settings.readableFile(CLIENT_PROPERTIES_FILE).ifPresent(file -> fromFile(file, settings, p));

        final Optional<String> protocolSetting = settings.optional(SECURITY_PROTOCOL).map(v -> v.toUpperCase(Locale.ROOT));
        protocolSetting.ifPresent(v -> settings.check(PROTOCOLS.contains(v),
                SECURITY_PROTOCOL + " must be one of " + String.join(", ", PROTOCOLS) + ", was '" + v + "'"));
        final String protocol = protocolSetting.orElse(p.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG,
                "PLAINTEXT").toUpperCase(Locale.ROOT));
        final boolean sasl = protocol.startsWith("SASL_");
        final boolean tls = protocol.equals("SSL") || protocol.equals("SASL_SSL");
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);

        final String what = protocolSetting.isPresent() ? SECURITY_PROTOCOL + " is " + protocol
                : SECURITY_PROTOCOL + " is unset (" + protocol + ")";
        final String user = sasl(settings, p, sasl, what);
        final String stores = tls(settings, p, tls, what);

        if (settings.problems().size() > before) {
            return NONE;
        }
        if (protocol.equals("PLAINTEXT") && p.size() == 1) {
            return NONE;
        }
        final String description = protocol + (sasl ? ", " + p.getOrDefault(SaslConfigs.SASL_MECHANISM, "GSSAPI")
                + (user == null ? "" : " as '" + user + "'") : "") + stores;
        return new KafkaClientSecurity(p, description);
    }

    /** Reads the settings of {@code env} alone; a {@link io.stemflow.service.SettingsException} names every problem. */
    public static KafkaClientSecurity fromEnv(final String service, final Map<String, String> env) {
        final Settings settings = new Settings(service, env);
        final KafkaClientSecurity security = read(settings);
        settings.throwIfProblems();
        return security;
    }

    /** The client properties to apply over a client's own (holds secrets: never log the map itself). */
    public Map<String, String> properties() {
        return properties;
    }

    /** Puts {@link #properties()} into {@code config} (a producer, consumer or admin configuration) and returns it. */
    public <M extends Map<String, Object>> M applyTo(final M config) {
        config.putAll(properties);
        return config;
    }

    /** Puts {@link #properties()} into {@code config} (a Streams configuration) and returns it. */
    public Properties applyTo(final Properties config) {
        config.putAll(properties);
        return config;
    }

    /** Whether the client connects without any security (PLAINTEXT, nothing else set). */
    public boolean isNone() {
        return properties.isEmpty();
    }

    /** What the client uses, for a start-up log line: protocol, mechanism, user name and stores; never a password. */
    public String describe() {
        return description;
    }

    @Override
    public String toString() {
        return "KafkaClientSecurity[" + description + "]";
    }

    /** The SASL part; returns the user name when the named settings gave one. */
    private static String sasl(final Settings settings, final Map<String, String> p, final boolean sasl,
                               final String what) {
        final Optional<String> mechanismSetting = settings.optional(SASL_MECHANISM).map(v -> v.toUpperCase(Locale.ROOT));
        final Optional<String> user = settings.optional(SASL_USERNAME);
        final Optional<String> password = settings.secretText(SASL_PASSWORD);
        if (!sasl) {
            for (final String name : List.of(SASL_MECHANISM, SASL_USERNAME)) {
                settings.check(settings.optional(name).isEmpty(), name + " is set but " + what + ": use SASL_SSL or"
                        + " SASL_PLAINTEXT");
            }
            settings.check(password.isEmpty(), SASL_PASSWORD + " (or _FILE) is set but " + what
                    + ": use SASL_SSL or SASL_PLAINTEXT");
            return null;
        }
        mechanismSetting.ifPresent(m -> settings.check(MECHANISMS.contains(m), SASL_MECHANISM + " must be one of "
                + String.join(", ", MECHANISMS) + " (others through " + CLIENT_PROPERTIES_FILE + "), was '" + m + "'"));
        final boolean jaasFromFile = p.containsKey(SaslConfigs.SASL_JAAS_CONFIG);
        if (user.isEmpty() && password.isEmpty() && mechanismSetting.isEmpty()) {
            settings.check(jaasFromFile, what + ": set " + SASL_MECHANISM + ", " + SASL_USERNAME + " and "
                    + SASL_PASSWORD + " (or _FILE), or sasl.mechanism and sasl.jaas.config in " + CLIENT_PROPERTIES_FILE);
            return null;
        }
        final String mechanism = mechanismSetting.orElse("SCRAM-SHA-512");
        settings.check(user.isPresent(), SASL_USERNAME + " is required with " + what);
        settings.check(password.isPresent(), SASL_PASSWORD + " (or " + SASL_PASSWORD + Settings.FILE_SUFFIX
                + ") is required with " + what);
        if (user.isEmpty() || password.isEmpty()) {
            return null;
        }
        final String module = mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        p.put(SaslConfigs.SASL_MECHANISM, mechanism);
        p.put(SaslConfigs.SASL_JAAS_CONFIG, module + " required username=\"" + jaasQuoted(user.get())
                + "\" password=\"" + jaasQuoted(password.get()) + "\";");
        return user.get();
    }

    /** The TLS part; returns a description of the stores (their paths, never their passwords). */
    private static String tls(final Settings settings, final Map<String, String> p, final boolean tls,
                              final String what) {
        final StringBuilder description = new StringBuilder();
        store(settings, p, tls, what, TRUSTSTORE_LOCATION, TRUSTSTORE_PASSWORD, TRUSTSTORE_TYPE,
                SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG,
                SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, false)
                .ifPresent(path -> description.append(", trust store ").append(path));
        store(settings, p, tls, what, KEYSTORE_LOCATION, KEYSTORE_PASSWORD, KEYSTORE_TYPE,
                SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG,
                SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, true)
                .ifPresent(path -> description.append(", key store ").append(path));
        final Optional<String> keyPassword = settings.secretText(KEY_PASSWORD);
        if (keyPassword.isPresent()) {
            settings.check(settings.optional(KEYSTORE_LOCATION).isPresent(), KEY_PASSWORD + " (or _FILE) is set but "
                    + KEYSTORE_LOCATION + " is not");
            p.put(SslConfigs.SSL_KEY_PASSWORD_CONFIG, keyPassword.get());
        }
        return description.toString();
    }

    private static Optional<Path> store(final Settings settings, final Map<String, String> p, final boolean tls,
                                        final String what, final String location, final String password,
                                        final String type, final String locationProperty,
                                        final String passwordProperty, final String typeProperty,
                                        final boolean passwordRequired) {
        final Optional<String> typeValue = settings.optional(type).map(v -> v.toUpperCase(Locale.ROOT));
        final Optional<String> secret = settings.secretText(password);
        if (settings.optional(location).isEmpty()) {
            settings.check(secret.isEmpty(), password + " (or _FILE) is set but " + location + " is not");
            settings.check(typeValue.isEmpty(), type + " is set but " + location + " is not");
            return Optional.empty();
        }
        if (!tls) {
            settings.problem(location + " is set but " + what + ": use SSL or SASL_SSL");
            return Optional.empty();
        }
        final Optional<Path> path = settings.readableFile(location);
        typeValue.ifPresent(v -> settings.check(STORE_TYPES.contains(v), type + " must be one of "
                + String.join(", ", STORE_TYPES) + ", was '" + v + "'"));
        settings.check(!passwordRequired || secret.isPresent() || "PEM".equals(typeValue.orElse("")),
                password + " (or " + password + Settings.FILE_SUFFIX + ") is required with " + location);
        path.ifPresent(file -> p.put(locationProperty, file.toAbsolutePath().toString()));
        secret.ifPresent(value -> p.put(passwordProperty, value));
        typeValue.ifPresent(value -> p.put(typeProperty, value));
        return path;
    }

    private static void fromFile(final Path file, final Settings settings, final Map<String, String> p) {
        final Properties read = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            read.load(in);
        } catch (IOException | IllegalArgumentException e) {
            settings.problem(CLIENT_PROPERTIES_FILE + " points to a file that is not a readable .properties file: "
                    + file + " (" + e.getClass().getSimpleName() + ")");
            return;
        }
        final Set<String> known = new TreeSet<>(ProducerConfig.configNames());
        known.addAll(ConsumerConfig.configNames());
        known.addAll(AdminClientConfig.configNames());
        final Set<String> unknown = new TreeSet<>();
        final Set<String> owned = new TreeSet<>();
        for (final String key : read.stringPropertyNames()) {
            if (OWNED.contains(key)) {
                owned.add(key);
            } else if (!known.contains(key)) {
                unknown.add(key);
            } else {
                p.put(key, read.getProperty(key).strip());
            }
        }
        // names only: a value may be a secret
        settings.check(unknown.isEmpty(), CLIENT_PROPERTIES_FILE + " (" + file + ") sets properties that are not Kafka"
                + " client properties: " + unknown);
        settings.check(owned.isEmpty(), CLIENT_PROPERTIES_FILE + " (" + file + ") sets properties stemflow sets itself: "
                + owned + " (bootstrap servers: STEMFLOW_KAFKA_BOOTSTRAP_SERVERS)");
    }

    /** A value inside a JAAS option's double quotes: backslash and quote escaped. */
    private static String jaasQuoted(final String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
