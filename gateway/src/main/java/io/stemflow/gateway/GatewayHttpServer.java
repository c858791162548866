package io.stemflow.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stemflow.http.HttpAccess;
import io.stemflow.http.ProbeServer;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

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

    private final ProbeServer server;

    private GatewayHttpServer(final ProbeServer server) {
        this.server = server;
    }

    /** @throws IllegalStateException naming the address when the port cannot be bound */
    public static GatewayHttpServer start(final GatewayConfig.HttpSettings settings, final GatewayHealth health,
                                          final PrometheusMeterRegistry registry) {
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(registry, "registry");
        final ObjectMapper mapper = new ObjectMapper();
        return new GatewayHttpServer(ProbeServer.start("gateway", settings.host(), settings.port(), settings.access(),
                () -> health(health, mapper), registry::scrape));
    }

    /** Base URL, e.g. {@code http://127.0.0.1:8091}. */
    public URI url() {
        return server.url();
    }

    @Override
    public void close() {
        server.close();
    }

    private static ProbeServer.Health health(final GatewayHealth health, final ObjectMapper mapper) {
        final GatewayHealth.Report report = health.report();
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", report.status().name());
        body.put("reason", report.reason());
        body.put("conditions", report.conditions());
        try {
            return new ProbeServer.Health(report.healthy() ? 200 : 503, mapper.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the health report does not serialise", e);
        }
    }
}
