package io.stemflow.http;

import io.javalin.Javalin;
import io.stemflow.service.LoopbackUrl;
import java.net.URI;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's small HTTP server for operators: {@code GET /health} (a JSON report with the status code the service
 * decides: 503 when it is down) and {@code GET /metrics} (Prometheus text). Who may call: {@link HttpAccess} before
 * every route; {@code /health} is open (container and load-balancer probes), {@code /metrics} needs a viewer token;
 * nothing here changes state, so every other method is refused.
 */
public final class ProbeServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProbeServer.class);

    /** A health answer: the HTTP status and the JSON body. */
    public record Health(int status, String json) {
        public Health {
            Objects.requireNonNull(json, "json");
        }
    }

    private final Javalin server;
    private final URI url;

    private ProbeServer(final Javalin server, final URI url) {
        this.server = server;
        this.url = url;
    }

    /**
     * @param service names the service in messages ("gateway", "archiver")
     * @throws IllegalStateException naming the address when the port cannot be bound
     */
    public static ProbeServer start(final String service, final String host, final int port,
                                    final HttpAccess access, final Supplier<Health> health,
                                    final Supplier<String> metrics) {
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(metrics, "metrics");
        final Javalin server = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            access.install(config);
            config.routes.get("/health", ctx -> {
                final Health answer = health.get();
                ctx.status(answer.status()).contentType("application/json").result(answer.json());
            });
            config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(metrics.get()));
        });
        try {
            server.start(host, port);
        } catch (RuntimeException e) {
            throw new IllegalStateException(service + " HTTP server cannot listen on " + host + ":" + port, e);
        }
        if (access.auth() == HttpAccess.Auth.OFF) {
            LOG.warn("{} HTTP WITHOUT AUTHENTICATION ({}=off): anyone who reaches {}:{} reads /metrics; set {} "
                    + "and {} instead", service.toUpperCase(java.util.Locale.ROOT), HttpAccess.ENV_AUTH, host,
                    server.port(), AccessTokens.ENV_VIEWER, AccessTokens.ENV_OPERATOR);
        }
        return new ProbeServer(server, LoopbackUrl.url("http", host, server.port()));
    }

    /** Base URL, e.g. {@code http://127.0.0.1:8091}. */
    public URI url() {
        return url;
    }

    @Override
    public void close() {
        server.stop();
    }
}
