package io.stemflow.archiver;

import io.stemflow.archiver.fetch.FetchSettings;
import io.stemflow.archiver.store.S3StoreConfig;
import io.stemflow.http.HttpAccess;
import io.stemflow.kafka.KafkaClientSecurity;
import io.stemflow.schemas.TopicNames;
import io.stemflow.serde.registry.RegistryConnection;
import io.stemflow.service.Settings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the archiver is started with, read once from the environment ({@link #fromEnv}; README's settings).
 *
 * @param applicationId  Kafka Streams application id of the announcer; also the worker's consumer group
 *                       ({@code <id>-worker}), the prefix of its transactional id and of its outcomes topic
 *                       ({@code <id>-outcomes})
 * @param instanceId     this instance's name among the archivers of one deployment (its transactional id)
 * @param archiveDir     the archive's folder (when no bucket is given)
 * @param s3             the S3-compatible bucket the archive is kept in, or null for {@code archiveDir}
 * @param stateDir       the announcer's state (which stems were announced)
 * @param concurrency    stems downloaded at once
 * @param linkRefreshes  fresh links asked for a stem whose link is dead (403/404/410) before it is reported
 *                       {@code ARCHIVE_FAILED}; 0 reports it at once
 * @param topics         the topics it reads and writes (stemflow's own but in tests)
 * @param kafkaSecurity  Kafka client security properties, applied to every client
 * @param expiryMargin   how long before the oldest waiting stem's link expires the archive counts as behind
 *                       ({@link ExpiryWatch})
 * @param http           the health and metrics server, or null for none
 * @param manifestGrace  how long a batch must stay complete and unchanged before its manifest is written
 *                       ({@link BatchManifests}): a job's last status and its stems travel on different topics
 */
public record ArchiverConfig(String bootstrapServers, RegistryConnection registry, String applicationId,
                             String instanceId, Path archiveDir, S3StoreConfig s3, Path stateDir, int concurrency, FetchSettings fetch,
                             int replicationFactor, int linkRefreshes, Topics topics, Map<String, String> kafkaSecurity,
                             Duration expiryMargin, HttpSettings http, Duration manifestGrace) {

    public static final String KAFKA_BOOTSTRAP_SERVERS = "STEMFLOW_KAFKA_BOOTSTRAP_SERVERS";
    public static final String SCHEMA_REGISTRY_URL = "STEMFLOW_SCHEMA_REGISTRY_URL";
    public static final String APPLICATION_ID = "STEMFLOW_ARCHIVER_APPLICATION_ID";
    public static final String INSTANCE_ID = "STEMFLOW_ARCHIVER_INSTANCE_ID";
    public static final String ARCHIVE_DIR = "STEMFLOW_ARCHIVE_DIR";
    public static final String S3_BUCKET = "STEMFLOW_ARCHIVE_S3_BUCKET";
    public static final String S3_PREFIX = "STEMFLOW_ARCHIVE_S3_PREFIX";
    public static final String S3_REGION = "STEMFLOW_ARCHIVE_S3_REGION";
    public static final String S3_ENDPOINT = "STEMFLOW_ARCHIVE_S3_ENDPOINT";
    public static final String S3_PATH_STYLE = "STEMFLOW_ARCHIVE_S3_PATH_STYLE";
    public static final String S3_ACCESS_KEY_ID = "STEMFLOW_ARCHIVE_S3_ACCESS_KEY_ID";
    public static final String S3_SECRET_ACCESS_KEY_FILE = "STEMFLOW_ARCHIVE_S3_SECRET_ACCESS_KEY_FILE";
    public static final String STATE_DIR = "STEMFLOW_ARCHIVER_STATE_DIR";
    public static final String CONCURRENCY = "STEMFLOW_ARCHIVER_CONCURRENCY";
    public static final String FETCH_ATTEMPTS = "STEMFLOW_ARCHIVER_FETCH_ATTEMPTS";
    public static final String FETCH_TIMEOUT = "STEMFLOW_ARCHIVER_FETCH_TIMEOUT";
    public static final String MAX_STEM_BYTES = "STEMFLOW_ARCHIVER_MAX_STEM_BYTES";
    public static final String REPLICATION_FACTOR = "STEMFLOW_ARCHIVER_REPLICATION_FACTOR";
    public static final String LINK_REFRESHES = "STEMFLOW_ARCHIVER_LINK_REFRESHES";
    public static final String MANIFEST_GRACE = "STEMFLOW_ARCHIVER_MANIFEST_GRACE";
    /** {@link #manifestGrace} unless set. */
    public static final Duration DEFAULT_MANIFEST_GRACE = Duration.ofSeconds(30);
    /** Bounds of {@link #manifestGrace}. */
    public static final Duration MIN_MANIFEST_GRACE = Duration.ofMillis(100);
    public static final Duration MAX_MANIFEST_GRACE = Duration.ofDays(1);
    public static final String EXPIRY_MARGIN = "STEMFLOW_ARCHIVER_EXPIRY_MARGIN";
    public static final String HTTP_HOST = "STEMFLOW_ARCHIVER_HTTP_HOST";
    public static final String HTTP_PORT = "STEMFLOW_ARCHIVER_HTTP_PORT";
    /** The margin when none is set: two days before the oldest waiting link expires. */
    public static final Duration DEFAULT_EXPIRY_MARGIN = Duration.ofDays(2);

    /**
     * How an S3-compatible store is reached, whatever the bucket: the {@code STEMFLOW_ARCHIVE_S3_*} settings but the
     * bucket and prefix (the archiver's, and {@code stemflow export}'s reading any location's bucket).
     */
    public record S3Access(String region, URI endpoint, boolean pathStyle, String accessKeyId,
                           Path secretAccessKeyFile) {

        /**
         * Reads the settings, with their defaults (region {@code us-east-1}; path style with an endpoint); empty,
         * with the problem reported to {@code r}, when they do not hold together.
         */
        public static java.util.Optional<S3Access> read(final Settings r) {
            final String region = r.text(S3_REGION, "us-east-1");
            final URI endpoint = r.uri(S3_ENDPOINT).orElse(null);
            final boolean pathStyle = r.bool(S3_PATH_STYLE, endpoint != null);
            final String keyId = r.optional(S3_ACCESS_KEY_ID).orElse(null);
            final Path secretFile = r.readableFile(S3_SECRET_ACCESS_KEY_FILE).orElse(null);
            if ((keyId == null) != r.optional(S3_SECRET_ACCESS_KEY_FILE).isEmpty()) {
                r.problem(S3_ACCESS_KEY_ID + " and " + S3_SECRET_ACCESS_KEY_FILE + " go together: set both, or"
                        + " neither for the AWS SDK's default credentials chain");
                return java.util.Optional.empty();
            }
            if (keyId != null && secretFile == null) {
                return java.util.Optional.empty(); // the unreadable file is already reported
            }
            return java.util.Optional.of(new S3Access(region, endpoint, pathStyle, keyId, secretFile));
        }

        /** The store of {@code bucket}, its keys under {@code prefix}. */
        public S3StoreConfig forBucket(final String bucket, final String prefix) {
            return new S3StoreConfig(bucket, prefix, region, endpoint, pathStyle, accessKeyId, secretAccessKeyFile);
        }
    }

    /** The health and metrics server: {@code /health} open, {@code /metrics} for viewer tokens ({@code access}). */
    public record HttpSettings(String host, int port, HttpAccess access) {
        public HttpSettings {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(access, "access");
        }
    }

    /**
     * The topics the archiver reads and writes: stems in, archived and dead letters out; requests for fresh links
     * out to the gateway ({@code linkRefresh}) and its answers in ({@code links}); the jobs' statuses in, read to know
     * when every job of a batch has ended ({@code status}), and batch manifests out ({@code manifests}).
     */
    public record Topics(String stems, String archived, String deadLetters, String linkRefresh, String links,
                         String status, String manifests) {
        public Topics {
            Objects.requireNonNull(stems, "stems");
            Objects.requireNonNull(archived, "archived");
            Objects.requireNonNull(deadLetters, "deadLetters");
            Objects.requireNonNull(linkRefresh, "linkRefresh");
            Objects.requireNonNull(links, "links");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(manifests, "manifests");
        }

        /** stemflow's topics. */
        public static Topics stemflow() {
            return new Topics(TopicNames.STEMS, TopicNames.ARCHIVED, TopicNames.DLQ, TopicNames.LINK_REFRESH,
                    TopicNames.LINKS, TopicNames.STATUS, TopicNames.MANIFESTS);
        }
    }

    public ArchiverConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(archiveDir, "archiveDir");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(fetch, "fetch");
        Objects.requireNonNull(topics, "topics");
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be 1 or more, was " + concurrency);
        }
        if (linkRefreshes < 0) {
            throw new IllegalArgumentException("linkRefreshes must be 0 or more, was " + linkRefreshes);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replicationFactor must be 1 or more, was " + replicationFactor);
        }
        kafkaSecurity = Map.copyOf(kafkaSecurity == null ? Map.of() : kafkaSecurity);
        Objects.requireNonNull(expiryMargin, "expiryMargin");
        Objects.requireNonNull(manifestGrace, "manifestGrace");
        if (manifestGrace.compareTo(MIN_MANIFEST_GRACE) < 0 || manifestGrace.compareTo(MAX_MANIFEST_GRACE) > 0) {
            throw new IllegalArgumentException("manifestGrace must be between " + MIN_MANIFEST_GRACE + " and "
                    + MAX_MANIFEST_GRACE + ", was " + manifestGrace);
        }
    }

    /**
     * Without a health server, with the default expiry margin and manifest grace (an archiver embedded in another
     * process).
     */
    public ArchiverConfig(final String bootstrapServers, final RegistryConnection registry, final String applicationId,
                          final String instanceId, final Path archiveDir, final S3StoreConfig s3, final Path stateDir,
                          final int concurrency, final FetchSettings fetch, final int replicationFactor,
                          final int linkRefreshes, final Topics topics, final Map<String, String> kafkaSecurity) {
        this(bootstrapServers, registry, applicationId, instanceId, archiveDir, s3, stateDir, concurrency, fetch,
                replicationFactor, linkRefreshes, topics, kafkaSecurity, DEFAULT_EXPIRY_MARGIN, null,
                DEFAULT_MANIFEST_GRACE);
    }

    /** With a health and metrics server. */
    public ArchiverConfig withHttp(final HttpSettings settings) {
        return new ArchiverConfig(bootstrapServers, registry, applicationId, instanceId, archiveDir, s3, stateDir,
                concurrency, fetch, replicationFactor, linkRefreshes, topics, kafkaSecurity, expiryMargin, settings,
                manifestGrace);
    }

    /** With another manifest grace (tests and the local stack use a short one). */
    public ArchiverConfig withManifestGrace(final Duration grace) {
        return new ArchiverConfig(bootstrapServers, registry, applicationId, instanceId, archiveDir, s3, stateDir,
                concurrency, fetch, replicationFactor, linkRefreshes, topics, kafkaSecurity, expiryMargin, http, grace);
    }

    /** The worker's consumer group. */
    public String workerGroup() {
        return applicationId + "-worker";
    }

    /** The worker's outcomes topic, read by the announcer. */
    public String outcomesTopic() {
        return applicationId + "-outcomes";
    }

    /** With other topics (tests share one broker). */
    public ArchiverConfig withTopics(final Topics other) {
        return new ArchiverConfig(bootstrapServers, registry, applicationId, instanceId, archiveDir, s3, stateDir,
                concurrency, fetch, replicationFactor, linkRefreshes, other, kafkaSecurity, expiryMargin, http,
                manifestGrace);
    }

    /**
     * Reads every archiver variable once and reports every problem together.
     *
     * @throws io.stemflow.service.SettingsException naming every bad or missing variable
     */
    public static ArchiverConfig fromEnv(final Map<String, String> env) {
        final Settings r = new Settings("archiver", env);
        final String bootstrap = r.required(KAFKA_BOOTSTRAP_SERVERS, "host:port[,host:port...]");
        final String registryUrl = r.required(SCHEMA_REGISTRY_URL, "http(s)://host:port[,...]");
        final java.util.Optional<RegistryConnection> registry = RegistryConnection.read(r, registryUrl);
        final String applicationId = r.text(APPLICATION_ID, "stemflow-archiver");
        r.check(applicationId.matches("[A-Za-z0-9._-]{1,100}"), APPLICATION_ID
                + " must be 1 to 100 letters, digits, '.', '_' or '-' (it names topics and a consumer group), was '"
                + applicationId + "'");
        final String instanceId = r.text(INSTANCE_ID, defaultInstance(env));
        r.check(instanceId.matches("[A-Za-z0-9._-]{1,100}"), INSTANCE_ID
                + " must be 1 to 100 letters, digits, '.', '_' or '-', was '" + instanceId + "'");
        final Path archiveDir = r.parsed(ARCHIVE_DIR, Path::of).orElse(Path.of(".stemflow/archive"));
        final S3StoreConfig s3 = r.optional(S3_BUCKET).flatMap(bucket -> S3Access.read(r)
                .flatMap(access -> r.build(() -> access.forBucket(bucket, r.text(S3_PREFIX, ""))))).orElse(null);
        final Path stateDir = r.parsed(STATE_DIR, Path::of).orElse(Path.of(".stemflow/archiver-state"));
        final int concurrency = r.integer(CONCURRENCY, 4, 1, 256);
        final FetchSettings d = FetchSettings.defaults();
        final int attempts = r.integer(FETCH_ATTEMPTS, d.attempts(), 1, 100);
        final Duration timeout = r.duration(FETCH_TIMEOUT, d.headersTimeout(), Duration.ofSeconds(1),
                Duration.ofMinutes(10));
        final long maxBytes = r.whole(MAX_STEM_BYTES, d.maxBytes(), 1024, Long.MAX_VALUE);
        final int replication = r.integer(REPLICATION_FACTOR, 1, 1, Short.MAX_VALUE);
        final int refreshes = r.integer(LINK_REFRESHES, 3, 0, 100);
        final Duration grace = r.duration(MANIFEST_GRACE, DEFAULT_MANIFEST_GRACE, MIN_MANIFEST_GRACE,
                MAX_MANIFEST_GRACE);
        final Duration margin = r.duration(EXPIRY_MARGIN, DEFAULT_EXPIRY_MARGIN, Duration.ZERO, Duration.ofDays(13));
        final HttpSettings http = r.optional(HTTP_PORT).isEmpty() ? null : httpSettings(r);
        final KafkaClientSecurity security = KafkaClientSecurity.read(r);
        r.throwIfProblems();
        final FetchSettings fetch = new FetchSettings(d.connectTimeout(), timeout, timeout, attempts, d.backoff(),
                d.maxBackoff(), maxBytes);
        return new ArchiverConfig(bootstrap, registry.orElseThrow(), applicationId, instanceId, archiveDir, s3, stateDir,
                concurrency, fetch, replication, refreshes, Topics.stemflow(), security.properties(), margin, http,
                grace);
    }

    /** The health server, when its port is set; its access from STEMFLOW_HTTP_AUTH and the tokens (HttpAccess). */
    private static HttpSettings httpSettings(final Settings r) {
        final String host = r.text(HTTP_HOST, "127.0.0.1");
        return new HttpSettings(host, r.integer(HTTP_PORT, 8093, 0, 65_535), HttpAccess.read(r, List.of(host)));
    }

    private static String defaultInstance(final Map<String, String> env) {
        final String host = env.getOrDefault("HOSTNAME", "");
        return host.matches("[A-Za-z0-9._-]{1,100}") ? host : "archiver-1";
    }
}
