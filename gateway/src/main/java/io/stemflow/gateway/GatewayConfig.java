package io.stemflow.gateway;

import io.stemflow.schemas.ProviderCosts;

import io.stemflow.avro.SeparationType;
import io.stemflow.schemas.TopicNames;
import io.stemflow.schemas.provider.CallbackToken;
import io.stemflow.serde.registry.RegistryConnection;
import io.stemflow.http.HttpAccess;
import io.stemflow.service.DurationText;
import io.stemflow.service.Secret;
import io.stemflow.service.SecretSource;
import io.stemflow.kafka.KafkaClientSecurity;
import io.stemflow.service.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's settings, parsed once from the environment ({@link #fromEnv(Map)}) and validated: every error
 * names the variable, none shows a secret's value. See {@code README-gateway.md} for every variable and default.
 */
public record GatewayConfig(
        ProviderSettings provider,
        CallbackSettings callback,
        KafkaSettings kafka,
        TopicSettings topics,
        RateSettings rate,
        FlowSettings flow,
        RetrySettings retry,
        PauseSettings pauses,
        Costs costs,
        HttpSettings http) {

    public static final String PROVIDER_BASE_URL = "STEMFLOW_PROVIDER_BASE_URL";
    public static final String PROVIDER_API_KEY = "STEMFLOW_PROVIDER_API_KEY";
    public static final String PROVIDER_API_KEY_FILE = "STEMFLOW_PROVIDER_API_KEY_FILE";
    public static final String PROVIDER_REQUEST_TIMEOUT = "STEMFLOW_PROVIDER_REQUEST_TIMEOUT";
    public static final String PROVIDER_CONNECT_TIMEOUT = "STEMFLOW_PROVIDER_CONNECT_TIMEOUT";
    public static final String RATE_LIMIT_REQUESTS = "STEMFLOW_PROVIDER_RATE_LIMIT_REQUESTS";
    public static final String RATE_LIMIT_WINDOW = "STEMFLOW_PROVIDER_RATE_LIMIT_WINDOW";
    public static final String RATE_LIMIT_MARGIN = "STEMFLOW_PROVIDER_RATE_LIMIT_MARGIN";
    public static final String COST_SEPARATE_VOCAL = "STEMFLOW_PROVIDER_COST_SEPARATE_VOCAL";
    public static final String COST_SPLIT_STEM = "STEMFLOW_PROVIDER_COST_SPLIT_STEM";
    public static final String CALLBACK_HMAC_KEY = "STEMFLOW_CALLBACK_HMAC_KEY";
    public static final String CALLBACK_HMAC_KEY_FILE = "STEMFLOW_CALLBACK_HMAC_KEY_FILE";
    public static final String BRIDGE_PUBLIC_URL = "STEMFLOW_BRIDGE_PUBLIC_URL";
    public static final String KAFKA_BOOTSTRAP_SERVERS = "STEMFLOW_KAFKA_BOOTSTRAP_SERVERS";
    public static final String SCHEMA_REGISTRY_URL = "STEMFLOW_SCHEMA_REGISTRY_URL";
    public static final String TOPIC_ADMITTED = "STEMFLOW_TOPIC_ADMITTED";
    public static final String TOPIC_SUBMISSIONS = "STEMFLOW_TOPIC_SUBMISSIONS";
    public static final String TOPIC_RECONCILE = "STEMFLOW_TOPIC_RECONCILE";
    public static final String TOPIC_RESULTS = "STEMFLOW_TOPIC_RESULTS";
    public static final String TOPIC_LINK_REFRESH = "STEMFLOW_TOPIC_LINK_REFRESH";
    public static final String TOPIC_LINKS = "STEMFLOW_TOPIC_LINKS";
    public static final String TOPIC_DLQ = "STEMFLOW_TOPIC_DLQ";
    public static final String APPLICATION_ID = "STEMFLOW_GATEWAY_APPLICATION_ID";
    public static final String INSTANCE_ID = "STEMFLOW_GATEWAY_INSTANCE_ID";
    /**
     * Retired: instances used to split the limit into static shares. Now one active instance uses the whole limit;
     * the variable is ignored with a warning saying so.
     */
    public static final String RETIRED_INSTANCES = "STEMFLOW_GATEWAY_INSTANCES";
    public static final String TAKEOVER_HOLD = "STEMFLOW_GATEWAY_TAKEOVER_HOLD";
    public static final String TRANSACTIONAL_ID_PREFIX = "STEMFLOW_GATEWAY_TRANSACTIONAL_ID_PREFIX";
    public static final String SESSION_TIMEOUT = "STEMFLOW_GATEWAY_SESSION_TIMEOUT";
    public static final String COMMIT_INTERVAL = "STEMFLOW_GATEWAY_COMMIT_INTERVAL";
    public static final String IN_FLIGHT = "STEMFLOW_GATEWAY_IN_FLIGHT";
    public static final String RECONCILER_IN_FLIGHT = "STEMFLOW_GATEWAY_RECONCILER_IN_FLIGHT";
    public static final String MAX_BUFFERED = "STEMFLOW_GATEWAY_MAX_BUFFERED";
    public static final String RETRY_MAX_ATTEMPTS = "STEMFLOW_GATEWAY_RETRY_MAX_ATTEMPTS";
    public static final String RETRY_INITIAL_BACKOFF = "STEMFLOW_GATEWAY_RETRY_INITIAL_BACKOFF";
    public static final String RETRY_MULTIPLIER = "STEMFLOW_GATEWAY_RETRY_MULTIPLIER";
    public static final String RETRY_MAX_BACKOFF = "STEMFLOW_GATEWAY_RETRY_MAX_BACKOFF";
    public static final String RETRY_JITTER = "STEMFLOW_GATEWAY_RETRY_JITTER";
    public static final String THROTTLE_INITIAL_BACKOFF = "STEMFLOW_GATEWAY_THROTTLE_INITIAL_BACKOFF";
    public static final String THROTTLE_MAX_BACKOFF = "STEMFLOW_GATEWAY_THROTTLE_MAX_BACKOFF";
    public static final String MAINTENANCE_PROBE_INTERVAL = "STEMFLOW_GATEWAY_MAINTENANCE_PROBE_INTERVAL";
    public static final String CREDIT_POLL_INTERVAL = "STEMFLOW_GATEWAY_CREDIT_POLL_INTERVAL";
    public static final String CONFIG_PROBE_INTERVAL = "STEMFLOW_GATEWAY_CONFIG_PROBE_INTERVAL";
    public static final String HTTP_HOST = "STEMFLOW_GATEWAY_HTTP_HOST";
    public static final String HTTP_PORT = "STEMFLOW_GATEWAY_HTTP_PORT";
    /** Loopback: a gateway whose {@code /metrics} the network may reach is configured so. */
    public static final String DEFAULT_HTTP_HOST = "127.0.0.1";

    private static final Set<String> KNOWN = Set.of(PROVIDER_BASE_URL, PROVIDER_API_KEY, PROVIDER_API_KEY_FILE,
            PROVIDER_REQUEST_TIMEOUT, PROVIDER_CONNECT_TIMEOUT, RATE_LIMIT_REQUESTS, RATE_LIMIT_WINDOW,
            RATE_LIMIT_MARGIN, COST_SEPARATE_VOCAL, COST_SPLIT_STEM, CALLBACK_HMAC_KEY, CALLBACK_HMAC_KEY_FILE,
            BRIDGE_PUBLIC_URL, KAFKA_BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL, TOPIC_ADMITTED, TOPIC_SUBMISSIONS,
            TOPIC_RECONCILE, TOPIC_RESULTS, TOPIC_LINK_REFRESH, TOPIC_LINKS, TOPIC_DLQ, APPLICATION_ID, INSTANCE_ID, RETIRED_INSTANCES,
            TAKEOVER_HOLD, TRANSACTIONAL_ID_PREFIX, SESSION_TIMEOUT, COMMIT_INTERVAL, IN_FLIGHT, RECONCILER_IN_FLIGHT, MAX_BUFFERED, RETRY_MAX_ATTEMPTS,
            RETRY_INITIAL_BACKOFF, RETRY_MULTIPLIER, RETRY_MAX_BACKOFF, RETRY_JITTER, THROTTLE_INITIAL_BACKOFF,
            THROTTLE_MAX_BACKOFF, MAINTENANCE_PROBE_INTERVAL, CREDIT_POLL_INTERVAL, CONFIG_PROBE_INTERVAL,
            HTTP_HOST, HTTP_PORT);
    // the STEMFLOW_KAFKA_* security settings (KafkaClientSecurity.SETTINGS) are outside the warned prefixes
    /** Prefixes owned by the gateway: an unknown variable under them is most likely a typo. */
    private static final List<String> OWN_PREFIXES = List.of("STEMFLOW_GATEWAY_", "STEMFLOW_PROVIDER_");
    private static final Logger LOG = LoggerFactory.getLogger(GatewayConfig.class);

    public GatewayConfig {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(callback, "callback");
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(rate, "rate");
        Objects.requireNonNull(flow, "flow");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(pauses, "pauses");
        Objects.requireNonNull(costs, "costs");
        Objects.requireNonNull(http, "http");
    }

    /**
     * Parses and validates the environment.
     *
     * @throws IllegalArgumentException listing every invalid or missing variable (names only, no secret values)
     */
    public static GatewayConfig fromEnv(final Map<String, String> env) {
        final Settings r = new Settings("gateway", env);
        final String applicationId = r.text(APPLICATION_ID, "stemflow-gateway");
        final Duration window = r.duration(RATE_LIMIT_WINDOW, Duration.ofSeconds(10), Duration.ofMillis(1));
        final Duration margin = r.duration(RATE_LIMIT_MARGIN, Duration.ofMillis(50), Duration.ZERO);
        final GatewayConfig config = new GatewayConfig(
                new ProviderSettings(
                        r.httpUrl(PROVIDER_BASE_URL),
                        requiredSecret(r, PROVIDER_API_KEY),
                        r.duration(PROVIDER_REQUEST_TIMEOUT, Duration.ofSeconds(15), Duration.ofMillis(1)),
                        r.duration(PROVIDER_CONNECT_TIMEOUT, Duration.ofSeconds(5), Duration.ofMillis(1))),
                new CallbackSettings(r.httpUrl(BRIDGE_PUBLIC_URL), hmacKey(r)),
                new KafkaSettings(
                        r.required(KAFKA_BOOTSTRAP_SERVERS),
                        RegistryConnection.read(r, r.required(SCHEMA_REGISTRY_URL))
                                .orElseGet(() -> RegistryConnection.of("http://invalid")),
                        applicationId,
                        r.text(INSTANCE_ID, "0"),
                        r.text(TRANSACTIONAL_ID_PREFIX, applicationId),
                        r.duration(SESSION_TIMEOUT, Duration.ofSeconds(15), Duration.ofSeconds(6)),
                        r.duration(COMMIT_INTERVAL, Duration.ofMillis(100), Duration.ZERO),
                        KafkaClientSecurity.read(r)),
                new TopicSettings(
                        r.text(TOPIC_ADMITTED, TopicNames.ADMITTED),
                        r.text(TOPIC_SUBMISSIONS, TopicNames.SUBMISSIONS),
                        r.text(TOPIC_RECONCILE, TopicNames.RECONCILE),
                        r.text(TOPIC_RESULTS, TopicNames.RESULTS),
                        r.text(TOPIC_LINK_REFRESH, TopicNames.LINK_REFRESH),
                        r.text(TOPIC_LINKS, TopicNames.LINKS),
                        r.text(TOPIC_DLQ, TopicNames.DLQ)),
                new RateSettings(
                        atLeast(r, RATE_LIMIT_REQUESTS, 20, 1),
                        window,
                        margin,
                        r.duration(TAKEOVER_HOLD, window.plus(margin), Duration.ZERO)),
                new FlowSettings(
                        atLeast(r, IN_FLIGHT, 16, 1),
                        atLeast(r, RECONCILER_IN_FLIGHT, 4, 1),
                        atLeast(r, MAX_BUFFERED, 500, 1)),
                new RetrySettings(
                        atLeast(r, RETRY_MAX_ATTEMPTS, 4, 1),
                        r.duration(RETRY_INITIAL_BACKOFF, Duration.ofMillis(500), Duration.ofMillis(1)),
                        r.decimal(RETRY_MULTIPLIER, 2.0, 1.0, 100.0),
                        r.duration(RETRY_MAX_BACKOFF, Duration.ofSeconds(10), Duration.ofMillis(1)),
                        r.decimal(RETRY_JITTER, 0.5, 0.0, 0.99)),
                new PauseSettings(
                        r.duration(THROTTLE_INITIAL_BACKOFF, Duration.ofSeconds(1), Duration.ofMillis(1)),
                        r.duration(THROTTLE_MAX_BACKOFF, Duration.ofSeconds(60), Duration.ofMillis(1)),
                        r.duration(MAINTENANCE_PROBE_INTERVAL, Duration.ofSeconds(30), Duration.ofMillis(1)),
                        r.duration(CREDIT_POLL_INTERVAL, Duration.ofSeconds(30), Duration.ofMillis(1)),
                        r.duration(CONFIG_PROBE_INTERVAL, Duration.ofSeconds(60), Duration.ofMillis(1))),
                new Costs(atLeast(r, COST_SEPARATE_VOCAL, (int) ProviderCosts.SEPARATE_VOCAL, 0),
                        atLeast(r, COST_SPLIT_STEM, (int) ProviderCosts.SPLIT_STEM, 0)),
                httpSettings(r));
        check(r, config);
        r.throwIfProblems();
        r.warnUnknown(OWN_PREFIXES, KNOWN);
        r.optional(RETIRED_INSTANCES).ifPresent(value -> LOG.warn("{} is no longer used (set to {}): one active "
                + "instance uses the whole limit ({} per {}), the others are hot standbys; remove the variable",
                RETIRED_INSTANCES, value, config.rate().requests(), DurationText.format(config.rate().window())));
        return config;
    }

    /** The health and metrics server; its access from STEMFLOW_HTTP_AUTH and the token settings (HttpAccess). */
    private static HttpSettings httpSettings(final Settings r) {
        final String host = r.text(HTTP_HOST, DEFAULT_HTTP_HOST);
        return new HttpSettings(host, r.integer(HTTP_PORT, 8091, 0, 65_535), HttpAccess.read(r, List.of(host)));
    }

    private static int atLeast(final Settings r, final String name, final int fallback, final int min) {
        return r.integer(name, fallback, min, Integer.MAX_VALUE);
    }

    /** A token-like secret that must be given ({@code X} or {@code X_FILE}); a placeholder when it is not. */
    private static SecretSource requiredSecret(final Settings r, final String name) {
        final boolean given = r.optional(name).isPresent() || r.optional(name + Settings.FILE_SUFFIX).isPresent();
        final java.util.Optional<SecretSource> source = r.secretSource(name);
        if (!given) {
            r.problem(name + " or " + name + Settings.FILE_SUFFIX + " is required");
        }
        return source.orElseGet(() -> SecretSource.fixed(name, Secret.of("placeholder", "placeholder-placeholder")));
    }

    private static Secret hmacKey(final Settings r) {
        final Secret key = requiredSecret(r, CALLBACK_HMAC_KEY).get();
        if (key.length() < CallbackToken.MIN_KEY_BYTES) {
            r.problem(CALLBACK_HMAC_KEY + " must have at least " + CallbackToken.MIN_KEY_BYTES + " bytes, it has "
                    + key.length());
        }
        return key;
    }

    private static void check(final Settings r, final GatewayConfig config) {
        r.check(config.retry().maxBackoff().compareTo(config.retry().initialBackoff()) >= 0,
                RETRY_MAX_BACKOFF + " must not be below " + RETRY_INITIAL_BACKOFF);
        r.check(config.pauses().throttleMaxBackoff().compareTo(config.pauses().throttleInitialBackoff()) >= 0,
                THROTTLE_MAX_BACKOFF + " must not be below " + THROTTLE_INITIAL_BACKOFF);
    }

    /** One line for the start-up log: every setting except secrets, which are named by their source and id. */
    public String describe() {
        return "provider " + provider.baseUrl() + " (key " + provider.apiKey().describe() + ", id "
                + provider.apiKey().get().id() + "), bridge " + callback.bridgePublicUrl() + ", kafka "
                + kafka.bootstrapServers() + " (" + kafka.security().describe() + "), registry " + kafka.registry() + ", topics " + topics
                + ", instance " + kafka.instanceId() + ", rate " + rate.requests() + " per "
                + DurationText.format(rate.window()) + " (all of it while this instance is the active one), takeover"
                + " hold " + DurationText.format(rate.takeoverHold()) + ", in-flight " + flow.inFlight();
    }

    /** Provider connection. */
    public record ProviderSettings(URI baseUrl, SecretSource apiKey, Duration requestTimeout,
                                   Duration connectTimeout) {
    }

    /** Callback URL and the HMAC key of its token. */
    public record CallbackSettings(URI bridgePublicUrl, Secret hmacKey) {

        public CallbackToken token() {
            return CallbackToken.withKey(hmacKey.bytes());
        }
    }

    /**
     * Kafka identity. The group ids are {@code <applicationId>-submitter} and {@code <applicationId>-reconciler};
     * the static group instance ids are {@code <applicationId>-<instanceId>-<role>}, stable across restarts so a
     * restarted instance takes its partitions back at once. The transactional ids are {@code <prefix>-<role>},
     * one per role and NOT per instance: only the instance holding a role's partitions opens a producer with it
     * (see {@link OneActiveAssignor}), so taking a role over fences the previous holder (a zombie cannot commit)
     * and aborts the transaction it left open (which would otherwise hold back read_committed readers and the
     * group's offsets until the transaction timeout).
     */
    public record KafkaSettings(String bootstrapServers, RegistryConnection registry, String applicationId,
                                String instanceId, String transactionalIdPrefix, Duration sessionTimeout,
                                Duration commitInterval, KafkaClientSecurity security) {

        public String groupId(final String role) {
            return applicationId + "-" + role;
        }

        public String transactionalId(final String role) {
            return transactionalIdPrefix + "-" + role;
        }

        public String groupInstanceId(final String role) {
            return applicationId + "-" + instanceId + "-" + role;
        }

        /**
         * The consumers' heartbeat interval: {@code min(1 s, session / 3)}. A standby hears of a rebalance within it;
         * a takeover marker states it, because a holder's calls end at most one interval after its last heartbeat.
         */
        public Duration heartbeatInterval() {
            final Duration third = sessionTimeout.dividedBy(3);
            return third.compareTo(Duration.ofSeconds(1)) < 0 ? third : Duration.ofSeconds(1);
        }
    }

    /**
     * Topic names (configurable so tests and parallel deployments can use their own). {@code dlq} receives the
     * records of {@code admitted}, {@code reconcile} and {@code linkRefresh} that cannot be used (see
     * docs/integration.md). The reconciler reads {@code linkRefresh} (the archiver's requests for fresh links) beside
     * {@code reconcile} and answers on {@code links}.
     */
    public record TopicSettings(String admitted, String submissions, String reconcile, String results,
                                String linkRefresh, String links, String dlq) {
    }

    /**
     * The provider's limit, used whole by the one active instance.
     *
     * @param requests     requests the provider allows per window per API key, over every gateway instance
     * @param window       the provider's (sliding) window
     * @param margin       extra time a permit stays used after its call completed, against clock skew
     * @param takeoverHold the longest an instance that takes the active role over makes no call (every slot of its
     *                     guard busy), because the previous holder may have called within the last window;
     *                     shortened by what the previous holder's handover or session expiry prove
     *                     ({@link TakeoverHold}); zero disables it. Not applied when the group never committed an
     *                     offset (fresh deployment)
     */
    public record RateSettings(int requests, Duration window, Duration margin, Duration takeoverHold) {

        public RateSettings {
            Objects.requireNonNull(window, "window");
            Objects.requireNonNull(margin, "margin");
            Objects.requireNonNull(takeoverHold, "takeoverHold");
        }
    }

    /**
     * @param inFlight           submitter jobs started (at least one generate call) and not yet committed; bounds
     *                           both concurrent calls and duplicate submissions after a crash
     * @param reconcilerInFlight the same for the reconciler's record-info calls
     * @param maxBuffered        uncommitted records held per loop before its partitions are paused
     */
    public record FlowSettings(int inFlight, int reconcilerInFlight, int maxBuffered) {
    }

    /** Bounded retries of 500s, timeouts and connection errors: exponential backoff with jitter. */
    public record RetrySettings(int maxAttempts, Duration initialBackoff, double multiplier, Duration maxBackoff,
                                double jitter) {
    }

    /**
     * @param throttleInitialBackoff   first gateway-wide pause after a 430/405 (doubles on each further one)
     * @param throttleMaxBackoff       longest such pause
     * @param maintenanceProbeInterval how long the circuit stays open after a 455 before one probe call
     * @param creditPollInterval       how often the credit endpoint is polled while out of credits (429)
     * @param configProbeInterval      how often one call probes the provider after a 401/404
     */
    public record PauseSettings(Duration throttleInitialBackoff, Duration throttleMaxBackoff,
                                Duration maintenanceProbeInterval, Duration creditPollInterval,
                                Duration configProbeInterval) {
    }

    /** Credits the provider charges per mode. */
    public record Costs(long separateVocal, long splitStem) {

        public long costOf(final SeparationType type) {
            return type == SeparationType.SPLIT_STEM ? splitStem : separateVocal;
        }
    }

    /**
     * The health and metrics server: {@code /health} open, {@code /metrics} for viewer tokens ({@code access}).
     */
    public record HttpSettings(String host, int port, HttpAccess access) {

        public HttpSettings {
            Objects.requireNonNull(access, "access");
        }
    }
}
