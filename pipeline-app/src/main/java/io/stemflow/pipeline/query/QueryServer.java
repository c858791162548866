package io.stemflow.pipeline.query;

import io.javalin.Javalin;
import io.stemflow.http.HttpAccess;
import io.stemflow.pipeline.dashboard.Dashboard;
import java.time.Clock;
import java.net.URI;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's read-only HTTP API over Kafka Streams' state stores: jobs, accounts, batches and
 * health, as JSON. Correct with several instances of the application: each key is answered by
 * the instance that holds it (forwarded there once when asked elsewhere), and the account list is
 * gathered from every instance.
 *
 * <p>Each instance must run Kafka Streams with {@code application.server} set to
 * {@link QueryConfig#applicationServer()}, the address this server is reached on.
 *
 * <p>Who may call: {@link HttpAccess}, checked before any route. {@code /health} is open; every other route
 * (the stores, {@code /metrics}) needs a viewer token (the API only reads). A request forwarded to another
 * instance carries the caller's own {@code Authorization} header, so the owner checks the same credential:
 * no caller gets more through a peer than it would get there directly, and no instance holds a token of its own.
 */
public final class QueryServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QueryServer.class);

    private final Javalin server;
    private final HostInfo hostInfo;
    private final DashboardApi dashboard;
    private final AtomicBoolean closed = new AtomicBoolean();

    private QueryServer(final Javalin server, final HostInfo hostInfo, final DashboardApi dashboard) {
        this.server = server;
        this.hostInfo = hostInfo;
        this.dashboard = dashboard;
    }

    /**
     * Starts the API over {@code streams} (started or not: until it is RUNNING, store answers are
     * 503).
     *
     * @throws IllegalStateException when the server cannot bind {@code host:port}
     */
    public static QueryServer start(final KafkaStreams streams, final QueryConfig config, final HttpAccess access) {
        return start(new StreamsStateSource(streams), config, access, null);
    }

    /** As {@link #start(KafkaStreams, QueryConfig, HttpAccess)}, also serving {@code GET /metrics} (Prometheus text). */
    public static QueryServer start(final KafkaStreams streams, final QueryConfig config, final HttpAccess access,
                                    final java.util.function.Supplier<String> prometheusText) {
        return start(new StreamsStateSource(streams), config, access, prometheusText);
    }

    static QueryServer start(final StateSource source, final QueryConfig config, final HttpAccess access) {
        return start(source, config, access, null);
    }

    static QueryServer start(final StateSource source, final QueryConfig config, final HttpAccess access,
                                     final java.util.function.Supplier<String> prometheusText) {
        return start(source, config, access, prometheusText, null);
    }

    /**
     * As {@link #start(KafkaStreams, QueryConfig, HttpAccess, java.util.function.Supplier)}, also serving the
     * operator's dashboard ({@code /dashboard/}) over {@code dashboard}'s feed (null: no dashboard).
     */
    public static QueryServer start(final KafkaStreams streams, final QueryConfig config, final HttpAccess access,
                                    final java.util.function.Supplier<String> prometheusText,
                                    final Dashboard dashboard) {
        return start(new StreamsStateSource(streams), config, access, prometheusText, dashboard);
    }

    static QueryServer start(final StateSource source, final QueryConfig config, final HttpAccess access,
                             final java.util.function.Supplier<String> prometheusText, final Dashboard dashboard) {
        final PeerClient peers = new PeerClient(config.forwardTimeout());
        final QueryApi api = new QueryApi(source, peers, config);
        final HttpAccess checks = dashboard == null ? access : access.alsoOpen(DashboardApi.openPaths());
        final DashboardApi pages = dashboard == null ? null
                : new DashboardApi(dashboard, checks, peers, api::self, Clock.systemUTC());
        final Javalin server = Javalin.create(javalin -> {
            javalin.startup.showJavalinBanner = false;
            javalin.startup.showOldJavalinVersionWarning = false;
            checks.install(javalin);
            if (prometheusText != null) {
                javalin.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                        .result(prometheusText.get()));
            }
            if (pages != null) {
                pages.register(javalin.routes);
            }
            api.register(javalin.routes);
        });
        try {
            server.start(config.host(), config.port());
        } catch (RuntimeException e) {
            server.stop();
            if (pages != null) {
                pages.close();
            }
            throw new IllegalStateException("query API cannot listen on " + config.host() + ":" + config.port(), e);
        }
        final HostInfo self = new HostInfo(config.advertisedHost(), server.port());
        api.bind(self);
        LOG.info("Query API listening on {}:{} as {} ({})", config.host(), server.port(), PeerClient.idOf(self),
                access);
        if (access.auth() == HttpAccess.Auth.OFF) {
            LOG.warn("QUERY API WITHOUT AUTHENTICATION ({}=off): anyone who reaches {}:{} reads every account, job "
                    + "and stem link; set {} and {} instead", HttpAccess.ENV_AUTH, config.host(), server.port(),
                    io.stemflow.http.AccessTokens.ENV_VIEWER, io.stemflow.http.AccessTokens.ENV_OPERATOR);
        }
        return new QueryServer(server, self, pages);
    }

    /** Base URL of this instance's API, on its advertised host, e.g. {@code http://10.0.0.5:7070}. */
    public URI url() {
        return URI.create("http://" + hostInfo.host() + ":" + hostInfo.port());
    }

    /** This instance as Kafka Streams' metadata names it ({@code application.server}). */
    public HostInfo hostInfo() {
        return hostInfo;
    }

    /** Stops the HTTP server. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            if (dashboard != null) {
                dashboard.close();
            }
            server.stop();
        }
    }
}
