package io.stemflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stemflow.http.AccessTokens;
import io.stemflow.http.HttpAccess;
import io.stemflow.http.RawHttp;
import io.stemflow.http.Role;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's probes of the gateway's HTTP server, sent from a raw socket as an attacker on the same machine
 * would: {@code /health} stays open, {@code /metrics} needs a viewer token, nothing changes state, a foreign
 * Host is refused.
 */
class GatewayHttpAccessTest {

    private final GatewayHealth health = new GatewayHealth();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private GatewayHttpServer server;
    private int port;

    @BeforeEach
    void start() {
        registry.counter("stemflow_probe").increment();
        health.register("probe", () -> Optional.of(new GatewayHealth.Condition(GatewayHealth.Status.DEGRADED,
                "provider in maintenance")));
        server = GatewayHttpServer.start(new GatewayConfig.HttpSettings("127.0.0.1", 0,
                HttpAccess.tokens(AccessTokens.of(Map.of(Role.VIEWER, List.of(GatewayFixture.VIEWER_TOKEN),
                        Role.OPERATOR, List.of(GatewayFixture.OPERATOR_TOKEN))))), health, registry);
        port = server.url().getPort();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RawHttp get(final String path, final String host, final String token) throws IOException {
        return RawHttp.exchange(port, RawHttp.request("GET", path, host,
                token == null ? "Accept: */*" : "Authorization: Bearer " + token));
    }

    private RawHttp post(final String path, final String contentType, final String token) throws IOException {
        return RawHttp.exchange(port, RawHttp.withBody(RawHttp.request("POST", path, "127.0.0.1",
                "Authorization: Bearer " + token, "Content-Type: " + contentType), "{\"status\":\"UP\"}"));
    }

    @Test
    void shouldAnswer401ForMetricsAndLeaveHealthOpenWhenNoTokenIsGiven() throws IOException {
        // when
        final RawHttp metrics = get("/metrics", "127.0.0.1", null);
        final RawHttp wrong = get("/metrics", "localhost", "not-a-token-of-this-gateway");
        final RawHttp healthAnswer = get("/health", "127.0.0.1", null);
        // then
        assertThat(metrics.status()).isEqualTo(401);
        assertThat(metrics.body()).doesNotContain("stemflow_probe");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(healthAnswer.status()).isEqualTo(200);
        assertThat(healthAnswer.body()).contains("DEGRADED");
    }

    @Test
    void shouldLetAViewerReadMetricsAndRefuseItAnyStateChange() throws IOException {
        // when
        final RawHttp metrics = get("/metrics", "localhost:" + port, GatewayFixture.VIEWER_TOKEN);
        final RawHttp viewerWrite = post("/health", "application/json", GatewayFixture.VIEWER_TOKEN);
        final RawHttp operatorWrite = post("/health", "application/json", GatewayFixture.OPERATOR_TOKEN);
        // then
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("stemflow_probe");
        assertThat(viewerWrite.status()).as("/health is open to probes and takes no write")
                .isIn(404, 405);
        assertThat(post("/metrics", "application/json", GatewayFixture.VIEWER_TOKEN).status()).isEqualTo(403);
        assertThat(operatorWrite.status()).isIn(404, 405);
        assertThat(health.report().status()).isEqualTo(GatewayHealth.Status.DEGRADED);
    }

    @Test
    void shouldAnswer421WhenTheHostHeaderNamesAForeignHost() throws IOException {
        // when
        final RawHttp rebound = get("/metrics", "attacker.example:" + port, GatewayFixture.VIEWER_TOKEN);
        // then
        assertThat(rebound.status()).isEqualTo(421);
        assertThat(rebound.body()).doesNotContain("stemflow_probe");
    }

    @Test
    void shouldAnswer415WhenAPostIsTextPlain() throws IOException {
        // when
        final RawHttp text = post("/metrics", "text/plain", GatewayFixture.OPERATOR_TOKEN);
        // then
        assertThat(text.status()).isEqualTo(415);
        assertThat(health.report().status()).isEqualTo(GatewayHealth.Status.DEGRADED);
    }
}
