package io.stemflow.emulator;

import io.stemflow.http.HttpAccess;
import io.stemflow.service.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Everything the emulator is started with, validated once. Build it with {@link #builder()} (defaults are the
 * provider's documented behaviour) or {@link #fromEnv(Map)} ({@code STEMFLOW_EMULATOR_*} variables, see the
 * module README). Secrets are {@link Secret}s, so {@link #toString()} never shows them.
 *
 * <p>Rate limit, maintenance, HTTP-status mode, fault shares, link expiry and credits are only the
 * <em>initial</em> values: {@link EmulatorControl} changes them at runtime.
 *
 * @param host                  address the HTTP server binds to
 * @param port                  port to bind (0 picks a free one)
 * @param publicBaseUrl         base URL put into stem-file links; empty: {@code http://<host>:<bound port>}
 * @param apiKeys               accepted API keys (Bearer tokens); at least one
 * @param adminToken            token for {@code /admin/...} (header {@code X-Admin-Token}), an operator credential;
 *                              empty and no bearer tokens: the admin API answers loopback callers only
 * @param access                who may call ({@link HttpAccess}): Host and JSON-only checks on every route but
 *                              {@code /health}, bearer tokens (viewer reads, operator changes) on {@code /admin}
 *                              only, unless their check is off; the default checks no token (then the admin
 *                              token, or loopback, guards {@code /admin}). Listening beyond loopback needs an
 *                              admin credential: the admin token or checked bearer tokens
 * @param webhookKey            when present, callbacks are signed ({@code X-Webhook-Timestamp/-Signature})
 * @param initialCredits        credit balance every API key starts with
 * @param costSeparateVocal     credits charged per accepted separate_vocal task
 * @param costSplitStem         credits charged per accepted split_stem task
 * @param maxBodyBytes          larger generate bodies are answered with 413
 * @param httpStatusMirrorsCode when true the HTTP status equals the body's {@code code}; else it is 200
 * @param rateLimit             initial per-key sliding-window limit
 * @param maintenance           initially in maintenance (every API call answers 455)
 * @param faults                initial fault shares
 * @param failureCodes          codes a failed task reports, drawn uniformly (each 400, 451 or 500)
 * @param processingTime        distribution of acceptance-to-completion time
 * @param callbackInfoKey       name of the stem object in callbacks
 * @param recordInfoTimeFormat  how record-info renders times
 * @param callbackTimeout       timeout of one callback POST
 * @param retrySchedule         delays after the 1st, 2nd, ... failed delivery (before {@link #timeScale()})
 * @param timeScale             factor applied to the retry schedule (e.g. 0.001 in tests)
 * @param duplicateDelay        delay between a delivered callback and its duplicate
 * @param lateDelay             extra delay of a late callback's first delivery
 * @param fileTtl               stem links answer 410 this long after the task completed
 * @param linkExpiry            early expiry of a share of the successful tasks' links, with fresh links from
 *                              record-info, and a share <em>of those early-expiring tasks</em> gone altogether
 *                              ({@link LinkExpiry}; builder: {@code earlyExpiryShare}, {@code earlyExpiryAfter},
 *                              {@code goneShare}; default none)
 * @param seed                  seed of every random decision; same seed and same requests, same decisions
 */
public record EmulatorConfig(
        String host,
        int port,
        Optional<URI> publicBaseUrl,
        List<Secret> apiKeys,
        Optional<Secret> adminToken,
        HttpAccess access,
        Optional<Secret> webhookKey,
        long initialCredits,
        int costSeparateVocal,
        int costSplitStem,
        int maxBodyBytes,
        boolean httpStatusMirrorsCode,
        RateLimit rateLimit,
        boolean maintenance,
        FaultShares faults,
        List<Integer> failureCodes,
        ProcessingTime processingTime,
        CallbackInfoKey callbackInfoKey,
        RecordInfoTimeFormat recordInfoTimeFormat,
        Duration callbackTimeout,
        List<Duration> retrySchedule,
        double timeScale,
        Duration duplicateDelay,
        Duration lateDelay,
        Duration fileTtl,
        LinkExpiry linkExpiry,
        long seed) {

    /** Codes a failed task may report in its callback. */
    public static final Set<Integer> ALLOWED_FAILURE_CODES = Set.of(400, 451, 500);
    /** Loopback: an emulator the network may reach is configured so, with an admin credential. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    public EmulatorConfig {
        require(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be within 0..65535, was " + port);
        }
        require(publicBaseUrl, "publicBaseUrl");
        publicBaseUrl.ifPresent(EmulatorConfig::checkHttpUrl);
        require(apiKeys, "apiKeys");
        apiKeys = List.copyOf(apiKeys);
        if (apiKeys.isEmpty()) {
            throw new IllegalArgumentException("apiKeys must hold at least one API key");
        }
        if (new HashSet<>(apiKeys).size() != apiKeys.size()) {
            throw new IllegalArgumentException("apiKeys must not hold the same key twice");
        }
        require(adminToken, "adminToken");
        require(access, "access");
        if (access.auth() == HttpAccess.Auth.OFF && adminToken.isEmpty() && !isLoopback(host)) {
            throw new IllegalArgumentException("the emulator listens beyond loopback (host " + host + ") without an "
                    + "admin credential: set STEMFLOW_EMULATOR_ADMIN_TOKEN (adminToken) or operator tokens "
                    + "(STEMFLOW_OPERATOR_TOKENS, with STEMFLOW_HTTP_AUTH=tokens)");
        }
        require(webhookKey, "webhookKey");
        nonNegative(initialCredits, "initialCredits");
        nonNegative(costSeparateVocal, "costSeparateVocal");
        nonNegative(costSplitStem, "costSplitStem");
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("maxBodyBytes must be at least 1, was " + maxBodyBytes);
        }
        require(rateLimit, "rateLimit");
        require(faults, "faults");
        require(failureCodes, "failureCodes");
        failureCodes = List.copyOf(failureCodes);
        if (failureCodes.isEmpty() || !ALLOWED_FAILURE_CODES.containsAll(failureCodes)) {
            throw new IllegalArgumentException("failureCodes must be a non-empty list of 400, 451, 500, was "
                    + failureCodes);
        }
        require(processingTime, "processingTime");
        require(callbackInfoKey, "callbackInfoKey");
        require(recordInfoTimeFormat, "recordInfoTimeFormat");
        positive(callbackTimeout, "callbackTimeout");
        require(retrySchedule, "retrySchedule");
        retrySchedule = List.copyOf(retrySchedule);
        for (final Duration delay : retrySchedule) {
            if (delay.isNegative()) {
                throw new IllegalArgumentException("retrySchedule must not hold negative delays, was " + retrySchedule);
            }
        }
        if (!(timeScale > 0.0) || Double.isInfinite(timeScale)) {
            throw new IllegalArgumentException("timeScale must be a positive number, was " + timeScale);
        }
        notNegative(duplicateDelay, "duplicateDelay");
        notNegative(lateDelay, "lateDelay");
        positive(fileTtl, "fileTtl");
        require(linkExpiry, "linkExpiry");
    }

    /**
     * Reads {@code STEMFLOW_EMULATOR_*} variables (the README lists them); variables without the prefix are
     * ignored, unknown names with it are logged as a warning.
     *
     * @throws IllegalArgumentException naming the variable when a value is invalid or no API key is given
     */
    public static EmulatorConfig fromEnv(final Map<String, String> env) {
        return EmulatorEnv.parse(env);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Credits charged for one accepted task of {@code mode}. */
    public long costOf(final SeparationMode mode) {
        return mode == SeparationMode.SPLIT_STEM ? costSplitStem : costSeparateVocal;
    }

    /** The retry schedule multiplied by {@link #timeScale()}. */
    public List<Duration> scaledRetrySchedule() {
        return retrySchedule.stream().map(d -> Duration.ofNanos(Math.round(d.toNanos() * timeScale))).toList();
    }

    /** Whether {@code host} names this machine's loopback only (not a wildcard, not another interface). */
    static boolean isLoopback(final String host) {
        try {
            final java.net.InetAddress[] addresses = java.net.InetAddress.getAllByName(
                    host.replace("[", "").replace("]", ""));
            return addresses.length > 0 && java.util.Arrays.stream(addresses)
                    .allMatch(java.net.InetAddress::isLoopbackAddress);
        } catch (final java.net.UnknownHostException e) {
            return false;
        }
    }

    private static void require(final Object value, final String name) {
        Objects.requireNonNull(value, () -> name + " must be set");
    }

    private static void nonNegative(final long value, final String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative, was " + value);
        }
    }

    private static void positive(final Duration value, final String name) {
        require(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }

    private static void notNegative(final Duration value, final String name) {
        require(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + value);
        }
    }

    private static void checkHttpUrl(final URI url) {
        if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
            throw new IllegalArgumentException("publicBaseUrl must be an absolute http(s) URL, was " + url);
        }
    }

    /** Builder with the provider's documented behaviour as defaults; {@link #build()} validates. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port = 8089;
        private URI publicBaseUrl;
        private final List<Secret> apiKeys = new ArrayList<>();
        private Secret adminToken;
        private HttpAccess access = HttpAccess.withoutTokens();
        private Secret webhookKey;
        private long initialCredits = 10_000;
        private int costSeparateVocal = 10;
        private int costSplitStem = 50;
        private int maxBodyBytes = 8_192;
        private boolean httpStatusMirrorsCode;
        private RateLimit rateLimit = RateLimit.PROVIDER_DEFAULT;
        private boolean maintenance;
        private FaultShares faults = FaultShares.NONE;
        private List<Integer> failureCodes = List.of(451, 500);
        private ProcessingTime processingTime = ProcessingTime.uniform(Duration.ofSeconds(2), Duration.ofSeconds(10));
        private CallbackInfoKey callbackInfoKey = CallbackInfoKey.VOCAL_REMOVAL_INFO;
        private RecordInfoTimeFormat recordInfoTimeFormat = RecordInfoTimeFormat.EPOCH_MILLIS;
        private Duration callbackTimeout = Duration.ofSeconds(15);
        private List<Duration> retrySchedule = List.of(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15));
        private double timeScale = 1.0;
        private Duration duplicateDelay = Duration.ofSeconds(1);
        private Duration lateDelay = Duration.ofSeconds(30);
        private Duration fileTtl = Duration.ofDays(14);
        private LinkExpiry linkExpiry = LinkExpiry.NONE;
        private Long seed;

        private Builder() {
        }

        private Builder(final EmulatorConfig c) {
            host = c.host;
            port = c.port;
            publicBaseUrl = c.publicBaseUrl.orElse(null);
            apiKeys.addAll(c.apiKeys);
            adminToken = c.adminToken.orElse(null);
            access = c.access;
            webhookKey = c.webhookKey.orElse(null);
            initialCredits = c.initialCredits;
            costSeparateVocal = c.costSeparateVocal;
            costSplitStem = c.costSplitStem;
            maxBodyBytes = c.maxBodyBytes;
            httpStatusMirrorsCode = c.httpStatusMirrorsCode;
            rateLimit = c.rateLimit;
            maintenance = c.maintenance;
            faults = c.faults;
            failureCodes = c.failureCodes;
            processingTime = c.processingTime;
            callbackInfoKey = c.callbackInfoKey;
            recordInfoTimeFormat = c.recordInfoTimeFormat;
            callbackTimeout = c.callbackTimeout;
            retrySchedule = c.retrySchedule;
            timeScale = c.timeScale;
            duplicateDelay = c.duplicateDelay;
            lateDelay = c.lateDelay;
            fileTtl = c.fileTtl;
            linkExpiry = c.linkExpiry;
            seed = c.seed;
        }

        public Builder host(final String value) {
            host = value;
            return this;
        }

        public Builder port(final int value) {
            port = value;
            return this;
        }

        public Builder publicBaseUrl(final URI value) {
            publicBaseUrl = value;
            return this;
        }

        /** Adds an accepted API key. */
        public Builder apiKey(final String value) {
            apiKeys.add(Secret.of(value));
            return this;
        }

        /** Replaces the accepted API keys. */
        public Builder apiKeys(final List<Secret> values) {
            apiKeys.clear();
            apiKeys.addAll(values);
            return this;
        }

        public Builder adminToken(final String value) {
            adminToken = value == null ? null : Secret.of(value);
            return this;
        }

        /** Who may call; the default checks no bearer token ({@link HttpAccess#withoutTokens()}). */
        public Builder access(final HttpAccess value) {
            access = value;
            return this;
        }

        public Builder webhookKey(final String value) {
            webhookKey = value == null ? null : Secret.of(value);
            return this;
        }

        public Builder initialCredits(final long value) {
            initialCredits = value;
            return this;
        }

        public Builder costSeparateVocal(final int value) {
            costSeparateVocal = value;
            return this;
        }

        public Builder costSplitStem(final int value) {
            costSplitStem = value;
            return this;
        }

        public Builder maxBodyBytes(final int value) {
            maxBodyBytes = value;
            return this;
        }

        public Builder httpStatusMirrorsCode(final boolean value) {
            httpStatusMirrorsCode = value;
            return this;
        }

        public Builder rateLimit(final RateLimit value) {
            rateLimit = value;
            return this;
        }

        public Builder maintenance(final boolean value) {
            maintenance = value;
            return this;
        }

        public Builder faults(final FaultShares value) {
            faults = value;
            return this;
        }

        public Builder failureCodes(final List<Integer> value) {
            failureCodes = value;
            return this;
        }

        public Builder processingTime(final ProcessingTime value) {
            processingTime = value;
            return this;
        }

        public Builder callbackInfoKey(final CallbackInfoKey value) {
            callbackInfoKey = value;
            return this;
        }

        public Builder recordInfoTimeFormat(final RecordInfoTimeFormat value) {
            recordInfoTimeFormat = value;
            return this;
        }

        public Builder callbackTimeout(final Duration value) {
            callbackTimeout = value;
            return this;
        }

        public Builder retrySchedule(final List<Duration> value) {
            retrySchedule = value;
            return this;
        }

        public Builder timeScale(final double value) {
            timeScale = value;
            return this;
        }

        public Builder duplicateDelay(final Duration value) {
            duplicateDelay = value;
            return this;
        }

        public Builder lateDelay(final Duration value) {
            lateDelay = value;
            return this;
        }

        public Builder fileTtl(final Duration value) {
            fileTtl = value;
            return this;
        }

        /**
         * Share (in [0, 1]) of the successful tasks whose original links expire {@link #earlyExpiryAfter} after
         * completion and are replaced by fresh ones on each record-info call ({@link LinkExpiry}); default 0.
         *
         * @throws IllegalArgumentException naming {@code earlyExpiryShare} when outside [0, 1]
         */
        public Builder earlyExpiryShare(final double value) {
            linkExpiry = linkExpiry.withEarlyExpiryShare(value);
            return this;
        }

        /**
         * How long after completion the original links of an early-expiring task answer 410 (zero or more;
         * {@code fileTtl} when that is shorter); default 0s.
         *
         * @throws IllegalArgumentException naming {@code earlyExpiryAfter} when negative or null
         */
        public Builder earlyExpiryAfter(final Duration value) {
            if (value == null) {
                throw new IllegalArgumentException("earlyExpiryAfter must be set");
            }
            linkExpiry = linkExpiry.withEarlyExpiryAfter(value);
            return this;
        }

        /**
         * Share (in [0, 1]) <em>of the early-expiring tasks</em> (not of all tasks) that are gone once their links
         * expired: record-info answers 400 as for an unknown task and the files are no longer served; default 0.
         *
         * @throws IllegalArgumentException naming {@code goneShare} when outside [0, 1]
         */
        public Builder goneShare(final double value) {
            linkExpiry = linkExpiry.withGoneShare(value);
            return this;
        }

        /** All three link-expiry settings at once. */
        public Builder linkExpiry(final LinkExpiry value) {
            linkExpiry = value;
            return this;
        }

        public Builder seed(final long value) {
            seed = value;
            return this;
        }

        /** Validates and builds; without an explicit seed a random one is drawn (and logged at start). */
        public EmulatorConfig build() {
            final long effectiveSeed = seed != null ? seed : new SplittableRandom().nextLong();
            return new EmulatorConfig(host, port, Optional.ofNullable(publicBaseUrl), apiKeys,
                    Optional.ofNullable(adminToken), access, Optional.ofNullable(webhookKey), initialCredits,
                    costSeparateVocal, costSplitStem, maxBodyBytes, httpStatusMirrorsCode, rateLimit, maintenance,
                    faults, failureCodes, processingTime, callbackInfoKey, recordInfoTimeFormat, callbackTimeout,
                    retrySchedule, timeScale, duplicateDelay, lateDelay, fileTtl, linkExpiry, effectiveSeed);
        }
    }
}
