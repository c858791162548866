package io.stemflow.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stemflow.http.AccessTokens;
import io.stemflow.http.HttpAccess;
import io.stemflow.service.LoopbackUrl;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's small HTTP server: {@code GET /health} (200 when UP or DEGRADED, 503 when DOWN, with a JSON
 * reason such as {@code {"status":"DOWN","reason":"provider answered 401 ...: check the API key"}}) and
 * {@code GET /metrics} (Prometheus text). It only reads {@link GatewayHealth} and the meter registry.
 *
 * <p>Who may call: {@link HttpAccess} before every route. {@code /health} is open (container and load-balancer
 * probes); {@code /metrics} needs a viewer token; nothing here changes state, so every other method is refused
 * (403 to a viewer, 415 without JSON, 404/405 after that).
 */
public final class GatewayHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayHttpServer.class);

    private final Javalin server;
    private final URI url;

    private GatewayHttpServer(final Javalin server, final URI url) {
        this.server = server;
        this.url = url;
    }

    /** @throws IllegalStateException naming the address when the port cannot be bound */
    public static GatewayHttpServer start(final GatewayConfig.HttpSettings settings, final GatewayHealth health,
                                          final PrometheusMeterRegistry registry) {
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(registry, "registry");
        final ObjectMapper mapper = new ObjectMapper();
        final Javalin server = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            settings.access().install(config);
            config.routes.get("/health", ctx -> health(ctx, health, mapper));
            config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(registry.scrape()));
        });
        try {
            server.start(settings.host(), settings.port());
        } catch (RuntimeException e) {
            throw new IllegalStateException("gateway HTTP server cannot listen on " + settings.host() + ":"
                    + settings.port(), e);
        }
        if (settings.access().auth() == HttpAccess.Auth.OFF) {
            LOG.warn("GATEWAY HTTP WITHOUT AUTHENTICATION ({}=off): anyone who reaches {}:{} reads /metrics; set {} "
                    + "and {} instead", HttpAccess.ENV_AUTH, settings.host(), server.port(), AccessTokens.ENV_VIEWER,
                    AccessTokens.ENV_OPERATOR);
        }
        return new GatewayHttpServer(server, LoopbackUrl.url("http", settings.host(), server.port()));
    }

    /** Base URL, e.g. {@code http://127.0.0.1:8091}. */
    public URI url() {
        return url;
    }

    @Override
    public void close() {
        server.stop();
    }

    private static void health(final Context ctx, final GatewayHealth health, final ObjectMapper mapper)
            throws JsonProcessingException {
        final GatewayHealth.Report report = health.report();
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", report.status().name());
        body.put("reason", report.reason());
        body.put("conditions", report.conditions());
        ctx.status(report.healthy() ? 200 : 503).contentType("application/json")
                .result(mapper.writeValueAsString(body));
    }
}
