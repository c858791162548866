package io.stemflow.archiver;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stemflow.http.AccessTokens;
import io.stemflow.http.HttpAccess;
import io.stemflow.service.LoopbackUrl;
import java.net.URI;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The archiver's {@code /health} (open: a JSON report, 503 when DOWN) and {@code /metrics} (Prometheus text, for
 * viewer tokens like every stemflow service's).
 */
final class ArchiverHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ArchiverHttpServer.class);

    private final Javalin server;
    private final URI url;

    private ArchiverHttpServer(final Javalin server, final URI url) {
        this.server = server;
        this.url = url;
    }

    /** @throws IllegalStateException naming the address when the port cannot be bound */
    static ArchiverHttpServer start(final ArchiverConfig.HttpSettings settings, final ArchiverHealth health,
                                    final PrometheusMeterRegistry registry) {
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(registry, "registry");
        final ObjectMapper mapper = new ObjectMapper();
        final Javalin server = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            settings.access().install(config);
            config.routes.get("/health", ctx -> {
                final ArchiverHealth.Report report = health.report();
                ctx.status(report.status() == ArchiverHealth.Status.DOWN ? 503 : 200)
                        .contentType("application/json").result(mapper.writeValueAsString(report));
            });
            config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(registry.scrape()));
        });
        try {
            server.start(settings.host(), settings.port());
        } catch (RuntimeException e) {
            throw new IllegalStateException("archiver HTTP server cannot listen on " + settings.host() + ":"
                    + settings.port(), e);
        }
        if (settings.access().auth() == HttpAccess.Auth.OFF) {
            LOG.warn("ARCHIVER HTTP WITHOUT AUTHENTICATION ({}=off): anyone who reaches {}:{} reads /metrics; set {} "
                    + "instead", HttpAccess.ENV_AUTH, settings.host(), server.port(), AccessTokens.ENV_VIEWER);
        }
        return new ArchiverHttpServer(server, LoopbackUrl.url("http", settings.host(), server.port()));
    }

    /** Base URL, e.g. {@code http://127.0.0.1:8093}. */
    URI url() {
        return url;
    }

    @Override
    public void close() {
        server.stop();
    }
}
