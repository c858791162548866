package io.stemflow.bridge;

import static java.time.temporal.ChronoUnit.MILLIS;
import static java.time.temporal.ChronoUnit.SECONDS;

import io.stemflow.schemas.TopicNames;
import io.stemflow.schemas.provider.CallbackToken;
import io.stemflow.serde.registry.RegistryAuth;
import io.stemflow.serde.registry.RegistryConnection;
import io.stemflow.service.Secret;
import io.stemflow.http.HttpAccess;
import io.stemflow.kafka.KafkaClientSecurity;
import io.stemflow.service.Settings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The callback bridge's settings, parsed once from the environment and validated at start-up.
 * Every problem names its environment variable; a secret's value never appears in a message or in
 * {@link #toString()}.
 *
 * @param host              interface the HTTP server binds to
 * @param port              HTTP(S) port, 0 for a free one
 * @param kafkaBootstrap    Kafka {@code bootstrap.servers}
 * @param schemaRegistryUrl Schema Registry URL(s), comma-separated
 * @param schemaRegistryAuth the registry credentials ({@link RegistryConnection#auth}), or none
 * @param callbackKey       HMAC key of the per-job callback token (shared with the submitter)
 * @param previousCallbackKeys keys whose tokens are still accepted after a rotation (the submitter signs with
 *                          {@code callbackKey} only)
 * @param webhookKey        the provider's webhook signing key; empty when the account does not sign
 * @param maxBodyBytes      largest accepted callback body
 * @param produceTimeout    bound of one produce (send, then wait for the acknowledgement); past it: 503
 * @param signatureMaxAge   how far {@code X-Webhook-Timestamp} may be from now, either way
 * @param retryAfter        the {@code Retry-After} of a 503
 * @param readinessInterval how often the readiness probe asks Kafka for the results topic
 * @param shutdownTimeout   how long a graceful stop waits for in-flight callbacks
 * @param tls               the keystore when the bridge terminates TLS itself
 * @param limits            what one client or one captured callback may cost: read deadline, requests per
 *                          client, replay cache size ({@link CallbackLimits})
 * @param resultsTopic      the topic results are produced to
 * @param kafkaSecurity     the Kafka client security ({@code STEMFLOW_KAFKA_*}, {@link KafkaClientSecurity})
 * @param allowedHosts      host names callers may name in {@code Host} besides the bind host, loopback names, this
 *                          machine's names and IP literals ({@code STEMFLOW_HTTP_ALLOWED_HOSTS}; {@code *}: any)
 */
public record BridgeConfig(
        String host,
        int port,
        String kafkaBootstrap,
        String schemaRegistryUrl,
        RegistryAuth schemaRegistryAuth,
        Secret callbackKey,
        List<Secret> previousCallbackKeys,
        Optional<Secret> webhookKey,
        int maxBodyBytes,
        Duration produceTimeout,
        Duration signatureMaxAge,
        Duration retryAfter,
        Duration readinessInterval,
        Duration shutdownTimeout,
        Optional<TlsSettings> tls,
        CallbackLimits limits,
        String resultsTopic,
        KafkaClientSecurity kafkaSecurity,
        List<String> allowedHosts) {

    public static final String ENV_HOST = "STEMFLOW_BRIDGE_HOST";
    /** Callback HMAC keys still accepted after a rotation (comma-separated, or one per line in the _FILE). */
    public static final String ENV_PREVIOUS_CALLBACK_KEYS = "STEMFLOW_CALLBACK_HMAC_PREVIOUS_KEYS";
    public static final String ENV_PORT = "STEMFLOW_BRIDGE_PORT";
    public static final String ENV_KAFKA_BOOTSTRAP = "STEMFLOW_KAFKA_BOOTSTRAP_SERVERS";
    public static final String ENV_SCHEMA_REGISTRY_URL = "STEMFLOW_SCHEMA_REGISTRY_URL";
    public static final String ENV_CALLBACK_HMAC_KEY = "STEMFLOW_CALLBACK_HMAC_KEY";
    public static final String ENV_PROVIDER_WEBHOOK_KEY = "STEMFLOW_PROVIDER_WEBHOOK_KEY";
    public static final String ENV_MAX_BODY_BYTES = "STEMFLOW_BRIDGE_MAX_BODY_BYTES";
    public static final String ENV_PRODUCE_TIMEOUT_MS = "STEMFLOW_BRIDGE_PRODUCE_TIMEOUT_MS";
    public static final String ENV_SIGNATURE_MAX_AGE_S = "STEMFLOW_BRIDGE_SIGNATURE_MAX_AGE_S";
    public static final String ENV_RETRY_AFTER_S = "STEMFLOW_BRIDGE_RETRY_AFTER_S";
    public static final String ENV_READINESS_INTERVAL_MS = "STEMFLOW_BRIDGE_READINESS_INTERVAL_MS";
    public static final String ENV_SHUTDOWN_TIMEOUT_MS = "STEMFLOW_BRIDGE_SHUTDOWN_TIMEOUT_MS";
    public static final String ENV_TLS_KEYSTORE = "STEMFLOW_BRIDGE_TLS_KEYSTORE";
    public static final String ENV_TLS_KEYSTORE_PASSWORD = "STEMFLOW_BRIDGE_TLS_KEYSTORE_PASSWORD";
    public static final String ENV_TLS_KEYSTORE_TYPE = "STEMFLOW_BRIDGE_TLS_KEYSTORE_TYPE";
    public static final String ENV_RESULTS_TOPIC = "STEMFLOW_TOPIC_RESULTS";
    /** Suffix of the variable that names a file holding a secret instead of the secret itself. */
    public static final String FILE_SUFFIX = Settings.FILE_SUFFIX;

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8090;
    public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
    public static final Duration DEFAULT_PRODUCE_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_SIGNATURE_MAX_AGE = Duration.ofSeconds(300);
    public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(60);
    public static final Duration DEFAULT_READINESS_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
    public static final String DEFAULT_KEYSTORE_TYPE = "PKCS12";

    /** The provider waits 15 s for our answer; a produce must end well before that. */
    public static final Duration MAX_PRODUCE_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration MIN_PRODUCE_TIMEOUT = Duration.ofMillis(100);
    public static final int MIN_BODY_BYTES = 256;
    public static final int MAX_BODY_BYTES = 64 * 1024 * 1024;

    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9a-fA-F:.]+]|[^\\s:,\\[\\]]+):\\d{1,5}");

    public BridgeConfig {
        webhookKey = Objects.requireNonNullElse(webhookKey, Optional.empty());
        tls = Objects.requireNonNullElse(tls, Optional.empty());
        schemaRegistryAuth = Objects.requireNonNullElse(schemaRegistryAuth, RegistryAuth.none());
        limits = Objects.requireNonNullElse(limits, CallbackLimits.DEFAULTS);
        final List<String> problems = problems(host, port, kafkaBootstrap, schemaRegistryUrl, callbackKey, webhookKey,
                maxBodyBytes, produceTimeout, signatureMaxAge, retryAfter, readinessInterval, shutdownTimeout, resultsTopic);
        if (!problems.isEmpty()) {
            throw new BridgeConfigException(problems);
        }
    }

    /** Every problem of these values, each naming its environment variable; empty when they are valid. */
    private static List<String> problems(final String host, final int port, final String kafkaBootstrap,
                                         final String schemaRegistryUrl, final Secret callbackKey,
                                         final Optional<Secret> webhookKey, final int maxBodyBytes,
                                         final Duration produceTimeout, final Duration signatureMaxAge,
                                         final Duration retryAfter, final Duration readinessInterval,
                                         final Duration shutdownTimeout, final String resultsTopic) {
        final List<String> problems = new ArrayList<>();
        if (host == null || host.isBlank()) {
            problems.add(ENV_HOST + " must not be blank");
        }
        if (port < 0 || port > 65535) {
            problems.add(ENV_PORT + " must be between 0 and 65535, was " + port);
        }
        checkBootstrap(kafkaBootstrap, problems);
        checkRegistryUrls(schemaRegistryUrl, problems);
        if (callbackKey == null) {
            problems.add(ENV_CALLBACK_HMAC_KEY + " or " + ENV_CALLBACK_HMAC_KEY + FILE_SUFFIX + " is required");
        } else if (callbackKey.length() < CallbackToken.MIN_KEY_BYTES) {
            problems.add(ENV_CALLBACK_HMAC_KEY + " must have at least " + CallbackToken.MIN_KEY_BYTES
                    + " bytes, it has " + callbackKey.length());
        }
        if (webhookKey.isPresent() && webhookKey.get().length() == 0) {
            problems.add(ENV_PROVIDER_WEBHOOK_KEY + " must not be empty when set");
        }
        if (maxBodyBytes < MIN_BODY_BYTES || maxBodyBytes > MAX_BODY_BYTES) {
            problems.add(ENV_MAX_BODY_BYTES + " must be between " + MIN_BODY_BYTES + " and " + MAX_BODY_BYTES
                    + ", was " + maxBodyBytes);
        }
        checkRange(ENV_PRODUCE_TIMEOUT_MS, produceTimeout, MIN_PRODUCE_TIMEOUT, MAX_PRODUCE_TIMEOUT,
                " (the provider gives up on a callback after 15 s)", problems);
        checkRange(ENV_SIGNATURE_MAX_AGE_S, signatureMaxAge, Duration.ofSeconds(1), Duration.ofDays(1), "", problems);
        checkRange(ENV_RETRY_AFTER_S, retryAfter, Duration.ofSeconds(1), Duration.ofHours(1), "", problems);
        checkRange(ENV_READINESS_INTERVAL_MS, readinessInterval, Duration.ofMillis(100), Duration.ofMinutes(10), "",
                problems);
        checkRange(ENV_SHUTDOWN_TIMEOUT_MS, shutdownTimeout, Duration.ofMillis(100), Duration.ofMinutes(5), "",
                problems);
        if (produceTimeout != null && shutdownTimeout != null && shutdownTimeout.compareTo(produceTimeout) < 0) {
            problems.add(ENV_SHUTDOWN_TIMEOUT_MS + " (" + shutdownTimeout.toMillis() + ") must not be shorter than "
                    + ENV_PRODUCE_TIMEOUT_MS + " (" + produceTimeout.toMillis() + "), or in-flight callbacks are cut off");
        }
        if (resultsTopic == null || !TOPIC.matcher(resultsTopic).matches()) {
            problems.add(ENV_RESULTS_TOPIC + " must be a legal Kafka topic name ([a-zA-Z0-9._-], 1 to 249 characters), was '"
                    + resultsTopic + "'");
        }
        return problems;
    }

    /**
     * Reads the settings from environment variables with the shared {@link Settings} reader (blank counts as
     * unset; secrets by the one {@code X} / {@code X_FILE} rule); see the module README for every variable and
     * its default. The {@code _MS} / {@code _S} variables stay whole milliseconds / seconds.
     *
     * @throws BridgeConfigException listing every problem, each naming its variable
     */
    public static BridgeConfig fromEnv(final Map<String, String> env) {
        final Settings reader = new Settings("callback bridge", env);
        final String host = reader.text(ENV_HOST, DEFAULT_HOST);
        final int port = reader.integer(ENV_PORT, DEFAULT_PORT, Integer.MIN_VALUE, Integer.MAX_VALUE);
        final String bootstrap = reader.optional(ENV_KAFKA_BOOTSTRAP).orElse(null);
        final String registry = reader.optional(ENV_SCHEMA_REGISTRY_URL).orElse(null);
        final RegistryAuth registryAuth = RegistryConnection.auth(reader);
        reader.check(registry == null || !registry.contains("@") || registryAuth instanceof RegistryAuth.None,
                ENV_SCHEMA_REGISTRY_URL + " carries credentials and " + RegistryConnection.ENV_USER + " is set: keep one");
        final Secret callbackKey = reader.secret(ENV_CALLBACK_HMAC_KEY).orElse(null);
        final List<Secret> previousKeys = reader.secretTexts(ENV_PREVIOUS_CALLBACK_KEYS).stream().map(Secret::utf8)
                .toList();
        reader.check(previousKeys.stream().allMatch(k -> k.length() >= CallbackToken.MIN_KEY_BYTES),
                ENV_PREVIOUS_CALLBACK_KEYS + " holds a key shorter than " + CallbackToken.MIN_KEY_BYTES + " bytes");
        final Optional<Secret> webhookKey = reader.secret(ENV_PROVIDER_WEBHOOK_KEY);
        final int maxBody = reader.integer(ENV_MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES, Integer.MIN_VALUE,
                Integer.MAX_VALUE);
        final Duration produceTimeout = reader.wholeUnits(ENV_PRODUCE_TIMEOUT_MS, DEFAULT_PRODUCE_TIMEOUT, MILLIS);
        final Duration maxAge = reader.wholeUnits(ENV_SIGNATURE_MAX_AGE_S, DEFAULT_SIGNATURE_MAX_AGE, SECONDS);
        final Duration retryAfter = reader.wholeUnits(ENV_RETRY_AFTER_S, DEFAULT_RETRY_AFTER, SECONDS);
        final Duration readiness = reader.wholeUnits(ENV_READINESS_INTERVAL_MS, DEFAULT_READINESS_INTERVAL, MILLIS);
        final Duration shutdown = reader.wholeUnits(ENV_SHUTDOWN_TIMEOUT_MS, DEFAULT_SHUTDOWN_TIMEOUT, MILLIS);
        final Optional<TlsSettings> tls = tls(reader);
        final CallbackLimits limits = CallbackLimits.read(reader);
        final String topic = reader.text(ENV_RESULTS_TOPIC, TopicNames.RESULTS);
        final KafkaClientSecurity kafkaSecurity = KafkaClientSecurity.read(reader);
        final List<String> allowedHosts = HttpAccess.allowedHosts(reader);
        // one report for everything: what could not be read, then what was read but is invalid
        reader.problems(problems(host, port, bootstrap, registry, callbackKey, webhookKey, maxBody,
                produceTimeout, maxAge, retryAfter, readiness, shutdown, topic));
        if (!reader.problems().isEmpty()) {
            throw new BridgeConfigException(reader.problems());
        }
        return new BridgeConfig(host, port, bootstrap, registry, registryAuth, callbackKey, previousKeys, webhookKey, maxBody,
                produceTimeout, maxAge, retryAfter, readiness, shutdown, tls, limits, topic, kafkaSecurity, allowedHosts);
    }

    private static Optional<TlsSettings> tls(final Settings reader) {
        final boolean keystoreSet = reader.optional(ENV_TLS_KEYSTORE).isPresent();
        final Optional<Secret> password = reader.secret(ENV_TLS_KEYSTORE_PASSWORD);
        final String type = reader.text(ENV_TLS_KEYSTORE_TYPE, DEFAULT_KEYSTORE_TYPE);
        if (!keystoreSet) {
            if (password.isPresent()) {
                reader.problem(ENV_TLS_KEYSTORE_PASSWORD + " is set but " + ENV_TLS_KEYSTORE + " is not");
            }
            return Optional.empty();
        }
        final Optional<java.nio.file.Path> path = reader.readableFile(ENV_TLS_KEYSTORE);
        if (password.isEmpty()) {
            reader.problem(ENV_TLS_KEYSTORE_PASSWORD + " or " + ENV_TLS_KEYSTORE_PASSWORD + FILE_SUFFIX
                    + " is required when " + ENV_TLS_KEYSTORE + " is set");
        }
        if (!"PKCS12".equalsIgnoreCase(type) && !"JKS".equalsIgnoreCase(type)) {
            reader.problem(ENV_TLS_KEYSTORE_TYPE + " must be PKCS12 or JKS, was '" + type + "'");
        }
        if (path.isEmpty() || password.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new TlsSettings(path.get(), password.get(), type.toUpperCase(java.util.Locale.ROOT)));
    }

    /** True when callbacks must carry a valid {@code X-Webhook-Signature}. */
    public boolean signaturesRequired() {
        return webhookKey.isPresent();
    }

    /** Every setting except secrets (hidden) and registry credentials (removed from the URLs). */
    @Override
    public String toString() {
        return "BridgeConfig[host=" + host + ", port=" + port + ", kafkaBootstrap=" + kafkaBootstrap
                + ", schemaRegistryUrl=" + redactedRegistryUrls() + ", callbackKey=" + callbackKey
                + ", previousCallbackKeys=" + previousCallbackKeys.size()
                + ", webhookKey=" + webhookKey.map(Secret::toString).orElse("none") + ", maxBodyBytes=" + maxBodyBytes
                + ", produceTimeout=" + produceTimeout + ", signatureMaxAge=" + signatureMaxAge
                + ", retryAfter=" + retryAfter + ", readinessInterval=" + readinessInterval
                + ", shutdownTimeout=" + shutdownTimeout + ", tls=" + tls.map(t -> t.keystore().toString()).orElse("off")
                + ", limits=" + limits + ", resultsTopic=" + resultsTopic + ", kafkaSecurity=" + kafkaSecurity.describe() + "]";
    }

    /** The schema registry and the credentials to use with it (its URLs without credentials). */
    public RegistryConnection registry() {
        return new RegistryConnection(schemaRegistryUrl, schemaRegistryAuth);
    }

    private String redactedRegistryUrls() {
        final List<String> urls = new ArrayList<>();
        for (final String url : schemaRegistryUrl.split(",")) {
            try {
                urls.add(withoutUserInfo(new URI(url.trim())));
            } catch (URISyntaxException e) {
                urls.add("<malformed>");
            }
        }
        return String.join(",", urls);
    }

    private static void checkBootstrap(final String bootstrap, final List<String> problems) {
        if (bootstrap == null || bootstrap.isBlank()) {
            problems.add(ENV_KAFKA_BOOTSTRAP + " is required (host:port[,host:port...])");
            return;
        }
        for (final String server : bootstrap.split(",")) {
            if (!HOST_PORT.matcher(server.trim()).matches()) {
                problems.add(ENV_KAFKA_BOOTSTRAP + " must be a comma-separated list of host:port, '"
                        + server.trim() + "' is not");
            }
        }
    }

    private static void checkRegistryUrls(final String urls, final List<String> problems) {
        if (urls == null || urls.isBlank()) {
            problems.add(ENV_SCHEMA_REGISTRY_URL + " is required (http(s)://host:port[,...])");
            return;
        }
        for (final String url : urls.split(",")) {
            try {
                final URI uri = new URI(url.trim());
                final boolean http = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
                if (!http || uri.getHost() == null) {
                    problems.add(ENV_SCHEMA_REGISTRY_URL + " must hold http(s) URLs with a host, one is not: "
                            + withoutUserInfo(uri));
                }
            } catch (URISyntaxException e) {
                problems.add(ENV_SCHEMA_REGISTRY_URL + " holds a malformed URL (" + e.getReason() + ")");
            }
        }
    }

    /** Registry URLs may carry {@code user:pass@}: never echo that part. */
    private static String withoutUserInfo(final URI uri) {
        return uri.getRawUserInfo() == null ? uri.toString() : uri.toString().replace(uri.getRawUserInfo() + "@", "");
    }

    private static void checkRange(final String name, final Duration value, final Duration min, final Duration max,
                                   final String why, final List<String> problems) {
        if (value == null) {
            problems.add(name + " is required");
        } else if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            final boolean seconds = name.endsWith("_S");
            problems.add(name + " must be between " + (seconds ? min.toSeconds() : min.toMillis()) + " and "
                    + (seconds ? max.toSeconds() : max.toMillis()) + why + ", was "
                    + (seconds ? value.toSeconds() : value.toMillis()));
        }
    }
}
