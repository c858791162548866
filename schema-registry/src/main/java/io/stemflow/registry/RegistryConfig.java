package io.stemflow.registry;

import io.stemflow.compat.CompatibilityLevel;
import io.stemflow.http.HttpAccess;
import io.stemflow.kafka.KafkaClientSecurity;
import io.stemflow.registry.auth.RegistryAccess;
import io.stemflow.registry.auth.RegistryUsers;
import io.stemflow.registry.store.KafkaStoreConfig;
import io.stemflow.service.Settings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Validated configuration of an {@link EmbeddedSchemaRegistry}. Start from {@link #inMemory()} or
 * {@link #kafka(String)} and adjust with the {@code with...} methods.
 *
 * <p>The factories give a registry without authentication ({@link RegistryAccess#off()}), as tests and the
 * local stack's callers build it in code; {@link #fromEnvironment} (the standalone registry) refuses to start
 * without users unless {@code STEMFLOW_REGISTRY_AUTH=off} says so explicitly.
 *
 * @param host                 interface to listen on
 * @param port                 port to listen on; 0 picks a free one
 * @param store                where the log lives
 * @param kafkaBootstrapServers the cluster, required for {@link Store#KAFKA}, else null
 * @param topic                the log's topic for {@link Store#KAFKA}
 * @param topicReplicationFactor replication factor used when the topic is created
 * @param defaultCompatibility the global level until one is set through the API
 * @param storeTimeout         bound on every store operation
 * @param access               who may read and write
 * @param hardDelete           whether {@code ?permanent=true} deletes are served (off: 403, error code 40302)
 * @param kafkaSecurity        the Kafka store's client security ({@code STEMFLOW_KAFKA_*}, {@link KafkaClientSecurity})
 * @param allowedHosts         names a {@code Host} header may carry besides loopback names, this machine's names, IP
 *                             literals and {@code host} ({@code STEMFLOW_HTTP_ALLOWED_HOSTS}; {@code *}: any)
 */
public record RegistryConfig(String host, int port, Store store, String kafkaBootstrapServers, String topic,
                             short topicReplicationFactor, CompatibilityLevel defaultCompatibility,
                             Duration storeTimeout, RegistryAccess access, boolean hardDelete,
                             KafkaClientSecurity kafkaSecurity, List<String> allowedHosts) {

    /** Where the registry keeps its log. */
    public enum Store {
        /** In this process only: lost on close. */
        IN_MEMORY,
        /** In a compacted Kafka topic: survives restarts of the registry and the broker. */
        KAFKA
    }

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final String DEFAULT_TOPIC = "_schemas";
    public static final Duration DEFAULT_STORE_TIMEOUT = Duration.ofSeconds(30);

    /** Environment variables read by {@link #fromEnvironment(Map)}. */
    public static final String ENV_HOST = "STEMFLOW_REGISTRY_HOST";
    public static final String ENV_PORT = "STEMFLOW_REGISTRY_PORT";
    public static final String ENV_KAFKA_BOOTSTRAP = "STEMFLOW_REGISTRY_KAFKA_BOOTSTRAP";
    public static final String ENV_TOPIC = "STEMFLOW_REGISTRY_TOPIC";
    public static final String ENV_AUTH = "STEMFLOW_REGISTRY_AUTH";
    public static final String ENV_USERS = "STEMFLOW_REGISTRY_USERS";
    public static final String ENV_USERS_FILE = ENV_USERS + Settings.FILE_SUFFIX;
    public static final String ENV_OPEN_READS = "STEMFLOW_REGISTRY_OPEN_READS";
    public static final String ENV_HARD_DELETE = "STEMFLOW_REGISTRY_HARD_DELETE";
    public static final int DEFAULT_STANDALONE_PORT = 8081;

    /** The values of {@code STEMFLOW_REGISTRY_AUTH}. */
    public enum Auth {
        /** HTTP basic with the users of {@code STEMFLOW_REGISTRY_USERS(_FILE)} (the default). */
        BASIC,
        /** No authentication at all: a developer's explicit choice, logged as a warning at start. */
        OFF
    }

    private static final Pattern LEGAL_TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public RegistryConfig {
        require(host != null && !host.isBlank(), "host must not be blank");
        require(port >= 0 && port <= 65_535, "port must be between 0 and 65535, got " + port);
        Objects.requireNonNull(store, "store must be set");
        Objects.requireNonNull(defaultCompatibility, "defaultCompatibility must be set");
        Objects.requireNonNull(storeTimeout, "storeTimeout must be set");
        Objects.requireNonNull(access, "access must be set");
        allowedHosts = List.copyOf(Objects.requireNonNull(allowedHosts, "allowedHosts must be set"));
        Objects.requireNonNull(kafkaSecurity, "kafkaSecurity must be set");
        require(!storeTimeout.isNegative() && !storeTimeout.isZero(), "storeTimeout must be positive, got " + storeTimeout);
        require(storeTimeout.toMillis() <= Integer.MAX_VALUE, "storeTimeout is too long: " + storeTimeout);
        require(topic != null && LEGAL_TOPIC.matcher(topic).matches() && !".".equals(topic) && !"..".equals(topic),
                "topic must be a legal Kafka topic name (1-249 of [a-zA-Z0-9._-]), got '" + topic + "'");
        require(topicReplicationFactor >= 1, "topicReplicationFactor must be at least 1, got " + topicReplicationFactor);
        if (store == Store.KAFKA) {
            require(kafkaBootstrapServers != null && !kafkaBootstrapServers.isBlank(),
                    "kafkaBootstrapServers must be set for the KAFKA store");
        }
    }

    /** An in-memory registry on 127.0.0.1, any free port, BACKWARD by default. */
    public static RegistryConfig inMemory() {
        return new RegistryConfig(DEFAULT_HOST, 0, Store.IN_MEMORY, null, DEFAULT_TOPIC, (short) 1,
                CompatibilityLevel.BACKWARD, DEFAULT_STORE_TIMEOUT, RegistryAccess.off(), false,
                KafkaClientSecurity.none(), List.of());
    }

    /** A Kafka-backed registry on topic {@code _schemas} (replication factor 1), 127.0.0.1, any free port. */
    public static RegistryConfig kafka(final String bootstrapServers) {
        return new RegistryConfig(DEFAULT_HOST, 0, Store.KAFKA, bootstrapServers, DEFAULT_TOPIC, (short) 1,
                CompatibilityLevel.BACKWARD, DEFAULT_STORE_TIMEOUT, RegistryAccess.off(), false,
                KafkaClientSecurity.none(), List.of());
    }

    /**
     * Reads {@code STEMFLOW_REGISTRY_PORT} (default 8081), {@code STEMFLOW_REGISTRY_HOST} (default 127.0.0.1),
     * {@code STEMFLOW_REGISTRY_KAFKA_BOOTSTRAP} (Kafka-backed when set, else in memory),
     * {@code STEMFLOW_REGISTRY_TOPIC} (default {@code _schemas}), and who may do what:
     * {@code STEMFLOW_REGISTRY_AUTH} ({@code basic}, the default, or {@code off}), the users of
     * {@code STEMFLOW_REGISTRY_USERS_FILE} (one {@code user:role:hash} per line) or {@code STEMFLOW_REGISTRY_USERS}
     * (the same, comma-separated), {@code STEMFLOW_REGISTRY_OPEN_READS} (default true) and
     * {@code STEMFLOW_REGISTRY_HARD_DELETE} (default false), and {@code STEMFLOW_HTTP_ALLOWED_HOSTS} (the Host check's
     * further names), with the shared {@link Settings} reader.
     * With {@code basic} and no user, it refuses to start: a registry open to writes is never the default.
     *
     * @throws io.stemflow.service.SettingsException naming every invalid variable
     */
    public static RegistryConfig fromEnvironment(final Map<String, String> env) {
        final Settings r = new Settings("schema registry", env);
        final String bootstrap = r.optional(ENV_KAFKA_BOOTSTRAP).orElse(null);
        final int port = r.integer(ENV_PORT, DEFAULT_STANDALONE_PORT, 0, 65_535);
        final String host = r.text(ENV_HOST, DEFAULT_HOST);
        final String topic = r.text(ENV_TOPIC, DEFAULT_TOPIC);
        r.check(LEGAL_TOPIC.matcher(topic).matches() && !".".equals(topic) && !"..".equals(topic),
                ENV_TOPIC + " must be a legal Kafka topic name (1-249 of [a-zA-Z0-9._-]), was '" + topic + "'");
        final RegistryAccess access = access(r);
        final boolean hardDelete = r.bool(ENV_HARD_DELETE, false);
        final KafkaClientSecurity kafkaSecurity = KafkaClientSecurity.read(r);
        final List<String> allowedHosts = HttpAccess.allowedHosts(r);
        r.throwIfProblems();
        final RegistryConfig base = bootstrap == null ? inMemory() : kafka(bootstrap);
        return base.withPort(port).withHost(host).withTopic(topic).withAccess(access).withHardDelete(hardDelete)
                .withKafkaSecurity(kafkaSecurity).withAllowedHosts(allowedHosts);
    }

    private static RegistryAccess access(final Settings r) {
        final Auth auth = r.choice(ENV_AUTH, Auth.class, Auth.BASIC);
        final boolean openReads = r.bool(ENV_OPEN_READS, true);
        // the one list-of-secrets rule: comma-separated in the variable, one per line in the file, both may be set
        final List<String> lines = r.secretTexts(ENV_USERS);
        if (auth == Auth.OFF) {
            r.check(lines.isEmpty(), ENV_AUTH + "=off and registry users (" + ENV_USERS + " or " + ENV_USERS_FILE
                    + ") are both set: choose one");
            r.check(openReads, ENV_OPEN_READS + "=false needs users: reads cannot be closed with " + ENV_AUTH + "=off");
            return RegistryAccess.off();
        }
        if (lines.isEmpty()) {
            r.problem("no registry user is configured: set " + ENV_USERS_FILE + " (one user:role:hash per line, "
                    + "roles reader, writer, admin) or " + ENV_USERS + ", or " + ENV_AUTH
                    + "=off to serve without authentication");
            return RegistryAccess.off();
        }
        final String source = r.optional(ENV_USERS_FILE).isPresent() ? ENV_USERS_FILE : ENV_USERS;
        return r.build(() -> RegistryUsers.parse(source, lines))
                .<RegistryAccess>map(users -> RegistryAccess.basic(users, openReads))
                .orElse(RegistryAccess.off());
    }

    public RegistryConfig withHost(final String newHost) {
        return new RegistryConfig(newHost, port, store, kafkaBootstrapServers, topic, topicReplicationFactor,
                defaultCompatibility, storeTimeout, access, hardDelete, kafkaSecurity, allowedHosts);
    }

    public RegistryConfig withPort(final int newPort) {
        return new RegistryConfig(host, newPort, store, kafkaBootstrapServers, topic, topicReplicationFactor,
                defaultCompatibility, storeTimeout, access, hardDelete, kafkaSecurity, allowedHosts);
    }

    public RegistryConfig withTopic(final String newTopic) {
        return new RegistryConfig(host, port, store, kafkaBootstrapServers, newTopic, topicReplicationFactor,
                defaultCompatibility, storeTimeout, access, hardDelete, kafkaSecurity, allowedHosts);
    }

    public RegistryConfig withTopicReplicationFactor(final short factor) {
        return new RegistryConfig(host, port, store, kafkaBootstrapServers, topic, factor,
                defaultCompatibility, storeTimeout, access, hardDelete, kafkaSecurity, allowedHosts);
    }

    public RegistryConfig withDefaultCompatibility(final CompatibilityLevel level) {
        return new RegistryConfig(host, port, store, kafkaBootstrapServers, topic, topicReplicationFactor,
                level, storeTimeout, access, hardDelete, kafkaSecurity, allowedHosts);
    }

    public RegistryConfig withStoreTimeout(final Duration timeout) {
        return new RegistryConfig(host, port, store, kafkaBootstrapServers, topic, topicReplicationFactor,
                defaultCompatibility, timeout, access, hardDelete, kafkaSecurity, allowedHosts);
    }

    /** Who may read and write ({@link RegistryAccess#off()} by default in code). */
    public RegistryConfig withAccess(final RegistryAccess newAccess) {
        return new RegistryConfig(host, port, store, kafkaBootstrapServers, topic, topicReplicationFactor,
                defaultCompatibility, storeTimeout, newAccess, hardDelete, kafkaSecurity, allowedHosts);
    }

    /** Whether {@code ?permanent=true} deletes are served (default false: 403, error code 40302). */
    public RegistryConfig withHardDelete(final boolean enabled) {
        return new RegistryConfig(host, port, store, kafkaBootstrapServers, topic, topicReplicationFactor,
                defaultCompatibility, storeTimeout, access, enabled, kafkaSecurity, allowedHosts);
    }

    /** With the Kafka store's client security ({@link KafkaClientSecurity#none()} by default in code). */
    public RegistryConfig withKafkaSecurity(final KafkaClientSecurity security) {
        return new RegistryConfig(host, port, store, kafkaBootstrapServers, topic, topicReplicationFactor,
                defaultCompatibility, storeTimeout, access, hardDelete, security, allowedHosts);
    }

    /** Also answers requests whose {@code Host} header names one of {@code names} ({@code *}: any). */
    public RegistryConfig withAllowedHosts(final List<String> names) {
        return new RegistryConfig(host, port, store, kafkaBootstrapServers, topic, topicReplicationFactor,
                defaultCompatibility, storeTimeout, access, hardDelete, kafkaSecurity, names);
    }

    /** The Kafka store's settings; only meaningful for {@link Store#KAFKA}. */
    public KafkaStoreConfig kafkaStoreConfig() {
        return new KafkaStoreConfig(kafkaBootstrapServers, topic, topicReplicationFactor, storeTimeout, kafkaSecurity);
    }

    private static void require(final boolean condition, final String message) {
        if (!condition) {
            throw new IllegalArgumentException("Invalid registry config: " + message);
        }
    }
}
