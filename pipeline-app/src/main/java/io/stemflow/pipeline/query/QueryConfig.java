package io.stemflow.pipeline.query;

import io.stemflow.service.DurationText;
import io.stemflow.service.LoopbackUrl;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How the query API listens and talks to the other instances, validated once.
 *
 * @param host           address the HTTP server binds to ({@code 0.0.0.0} for every interface; loopback by
 *                       default, so an instance is not reachable from the network unless told to be)
 * @param port           port it binds to; 0 picks a free one (then it cannot be advertised before start)
 * @param advertisedHost host name the other instances reach this one on: with {@link #port} it is this
 *                       instance's {@code application.server}; defaults to {@code host}, or
 *                       {@code 127.0.0.1} when {@code host} is a wildcard address
 * @param forwardTimeout how long a request forwarded to another instance may take (connect and answer)
 * @param retryAfter     what a 503 answer tells the client to wait before retrying
 */
public record QueryConfig(String host, int port, String advertisedHost, Duration forwardTimeout,
                          Duration retryAfter) {

    public static final Duration DEFAULT_FORWARD_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);
    public static final int DEFAULT_PORT = 7070;
    /** Loopback: a query API reachable from the network is configured so ({@code STEMFLOW_QUERY_HOST}). */
    public static final String DEFAULT_HOST = "127.0.0.1";

    public QueryConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("stemflow.query.host is required");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("stemflow.query.port must be 0 to 65535, was " + port);
        }
        if (advertisedHost == null || advertisedHost.isBlank()) {
            advertisedHost = LoopbackUrl.host(host);
        }
        if (advertisedHost.contains(":") && !advertisedHost.startsWith("[")) {
            throw new IllegalArgumentException("stemflow.query.advertised-host must be a host name or an IPv4 "
                    + "address (Kafka's application.server is host:port), was '" + advertisedHost + "'");
        }
        positive("stemflow.query.forward-timeout", forwardTimeout);
        positive("stemflow.query.retry-after", retryAfter);
    }

    /** Listens on {@code host:port}, advertised as such, with the default timeouts. */
    public static QueryConfig of(final String host, final int port) {
        return new QueryConfig(host, port, null, DEFAULT_FORWARD_TIMEOUT, DEFAULT_RETRY_AFTER);
    }

    /**
     * Reads {@code stemflow.query.host} (default 127.0.0.1), {@code .port} (7070), {@code .advertised-host},
     * {@code .forward-timeout} (2s) and {@code .retry-after} (1s); bad values are named.
     */
    public static QueryConfig from(final Map<String, String> settings) {
        return new QueryConfig(
                settings.getOrDefault("stemflow.query.host", DEFAULT_HOST),
                portOf(settings.get("stemflow.query.port")),
                settings.get("stemflow.query.advertised-host"),
                durationOf(settings, "stemflow.query.forward-timeout", DEFAULT_FORWARD_TIMEOUT),
                durationOf(settings, "stemflow.query.retry-after", DEFAULT_RETRY_AFTER));
    }

    /**
     * The value for Kafka Streams' {@code application.server}: how the other instances reach this
     * one. Every instance must set it, or keys cannot be routed.
     *
     * @throws IllegalStateException when the port is 0 (not known before the server starts)
     */
    public String applicationServer() {
        if (port == 0) {
            throw new IllegalStateException("stemflow.query.port is 0: a free port cannot be advertised as "
                    + "application.server before the query server starts; configure a fixed port");
        }
        return advertisedHost + ":" + port;
    }

    /** {@link #retryAfter} in whole seconds (at least 1), as the {@code Retry-After} header wants it. */
    public long retryAfterSeconds() {
        return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }

    private static int portOf(final String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_PORT;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("stemflow.query.port must be a whole number, was '" + value + "'", e);
        }
    }

    private static Duration durationOf(final Map<String, String> settings, final String key, final Duration fallback) {
        final String v = settings.get(key);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return DurationText.parse(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + " must be " + DurationText.EXPECTED + ", was '" + v + "'", e);
        }
    }

    private static void positive(final String name, final Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
