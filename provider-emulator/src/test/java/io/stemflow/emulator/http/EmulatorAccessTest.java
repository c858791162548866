package io.stemflow.emulator.http;

import static io.stemflow.emulator.support.TestConfigs.API_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.emulator.EmulatorConfig;
import io.stemflow.emulator.ProviderEmulator;
import io.stemflow.emulator.support.TestConfigs;
import io.stemflow.emulator.time.ManualTime;
import io.stemflow.http.AccessTokens;
import io.stemflow.http.HttpAccess;
import io.stemflow.http.RawHttp;
import io.stemflow.http.Role;
import io.stemflow.service.SettingsException;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's probes of the emulator, sent from a raw socket as a page in a developer's browser or another user of
 * the machine would: the maintenance schedule is the state an attack wants to change, and every refusal must leave
 * it as it was. The provider API keeps its own API keys; Host and JSON-only checks hold on every route.
 */
class EmulatorAccessTest {

    private static final String VIEWER = "emulator-viewer-token-0123456789";
    private static final String OPERATOR = "emulator-operator-token-0123456789";
    private static final String ADMIN = "emulator-admin-token";
    private static final String WINDOW = "{\"startInMs\":60000,\"durationMs\":60000}";

    private ProviderEmulator emulator;
    private int port;

    private void start(final EmulatorConfig.Builder config) {
        emulator = ProviderEmulator.start(config.build(), new ManualTime(Instant.parse("2026-01-01T00:00:00Z")));
        port = emulator.baseUrl().getPort();
    }

    private void startWithTokens() {
        start(TestConfigs.quick().adminToken(ADMIN).access(HttpAccess.tokens(AccessTokens.of(Map.of(
                Role.VIEWER, List.of(VIEWER), Role.OPERATOR, List.of(OPERATOR))))));
    }

    @AfterEach
    void stop() {
        if (emulator != null) {
            emulator.close();
        }
    }

    private List<?> schedule() {
        return emulator.control().maintenanceWindows();
    }

    private RawHttp scheduleWindow(final String host, final String contentType, final String... credential)
            throws IOException {
        final String[] headers = new String[credential.length + 1];
        System.arraycopy(credential, 0, headers, 0, credential.length);
        headers[credential.length] = "Content-Type: " + contentType;
        return RawHttp.exchange(port, RawHttp.withBody(RawHttp.request("POST", "/admin/maintenance/windows", host,
                headers), WINDOW));
    }

    private RawHttp get(final String path, final String host, final String... headers) throws IOException {
        return RawHttp.exchange(port, RawHttp.request("GET", path, host, headers));
    }

    @Test
    void shouldAnswer401OnEveryAdminRouteAndScheduleNothingWhenNoTokenIsGiven() throws IOException {
        // given
        startWithTokens();
        // when
        final RawHttp read = get("/admin/maintenance", "127.0.0.1");
        final RawHttp info = get("/admin/info", "localhost");
        final RawHttp write = scheduleWindow("127.0.0.1", "application/json");
        final RawHttp wrongAdmin = scheduleWindow("127.0.0.1", "application/json", "X-Admin-Token: not-the-token");
        final RawHttp health = get("/health", "attacker.example");
        // then
        assertThat(List.of(read.status(), info.status(), write.status(), wrongAdmin.status())).containsOnly(401);
        assertThat(info.body()).doesNotContain("seed");
        assertThat(schedule()).isEmpty();
        assertThat(health.status()).as("health is open to probes").isEqualTo(200);
    }

    @Test
    void shouldLetAViewerReadTheScheduleAndRefuseItAChangeWhenItTriesToScheduleAWindow() throws IOException {
        // given
        startWithTokens();
        // when
        final RawHttp read = get("/admin/maintenance", "127.0.0.1", "Authorization: Bearer " + VIEWER);
        final RawHttp write = scheduleWindow("127.0.0.1", "application/json", "Authorization: Bearer " + VIEWER);
        // then
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body()).contains("\"windows\":[]");
        assertThat(write.status()).isEqualTo(403);
        assertThat(write.body()).contains("operator");
        assertThat(schedule()).isEmpty();
    }

    @Test
    void shouldAnswer421WhenTheHostHeaderNamesAForeignHostOnAnyRoute() throws IOException {
        // given
        startWithTokens();
        // when
        final RawHttp admin = scheduleWindow("attacker.example", "application/json", "Authorization: Bearer " + OPERATOR);
        final RawHttp provider = get("/api/v1/generate/credit", "attacker.example:" + port,
                "Authorization: Bearer " + API_KEY);
        // then
        assertThat(admin.status()).isEqualTo(421);
        assertThat(provider.status()).isEqualTo(421);
        assertThat(schedule()).isEmpty();
    }

    @Test
    void shouldAnswer415AndScheduleNothingWhenAMaintenanceWindowIsSentAsTextPlain() throws IOException {
        // given: no bearer token configured, as a developer runs it on loopback; the media check alone must hold
        start(TestConfigs.quick());
        // when
        final RawHttp text = scheduleWindow("127.0.0.1", "text/plain");
        final RawHttp form = scheduleWindow("localhost", "application/x-www-form-urlencoded");
        final RawHttp generate = RawHttp.exchange(port, RawHttp.withBody(RawHttp.request("POST",
                "/api/v1/vocal-removal/generate", "127.0.0.1", "Authorization: Bearer " + API_KEY,
                "Content-Type: text/plain"), "{\"taskId\":\"t\",\"audioId\":\"a\",\"callBackUrl\":\"http://127.0.0.1:9/cb\"}"));
        // then
        assertThat(text.status()).isEqualTo(415);
        assertThat(form.status()).isEqualTo(415);
        assertThat(generate.status()).as("the provider API takes JSON only too").isEqualTo(415);
        assertThat(schedule()).isEmpty();
        assertThat(emulator.control().taskCount()).isZero();
    }

    @Test
    void shouldScheduleTheWindowWhenAnOperatorTokenOrTheAdminTokenIsGiven() throws IOException {
        // given
        startWithTokens();
        // when
        final RawHttp operator = scheduleWindow("localhost:" + port, "application/json", "Authorization: Bearer " + OPERATOR);
        final RawHttp admin = scheduleWindow("127.0.0.1", "application/json; charset=utf-8", "X-Admin-Token: " + ADMIN);
        final RawHttp provider = get("/api/v1/generate/credit", "127.0.0.1", "Authorization: Bearer " + API_KEY);
        // then
        assertThat(operator.status()).isEqualTo(200);
        assertThat(admin.status()).isEqualTo(200);
        assertThat(schedule()).hasSize(2);
        assertThat(provider.status()).as("the provider API keeps its own API keys").isEqualTo(200);
    }

    @Test
    void shouldRefuseToStartBeyondLoopbackWithoutAnAdminCredentialAndNameTheSetting() {
        // when / then
        assertThatThrownBy(() -> EmulatorConfig.fromEnv(Map.of("STEMFLOW_EMULATOR_API_KEYS", API_KEY,
                "STEMFLOW_EMULATOR_HOST", "0.0.0.0")))
                .isInstanceOf(SettingsException.class).hasMessageContaining("STEMFLOW_EMULATOR_ADMIN_TOKEN")
                .hasMessageContaining("beyond loopback");
        assertThatThrownBy(() -> EmulatorConfig.fromEnv(Map.of("STEMFLOW_EMULATOR_API_KEYS", API_KEY,
                "STEMFLOW_EMULATOR_HOST", "0.0.0.0", "STEMFLOW_HTTP_AUTH", "off",
                "STEMFLOW_OPERATOR_TOKENS", OPERATOR)))
                .as("bearer tokens that are not checked guard nothing")
                .hasMessageContaining("STEMFLOW_EMULATOR_ADMIN_TOKEN");
        assertThatThrownBy(() -> TestConfigs.quick().host("0.0.0.0").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("STEMFLOW_EMULATOR_ADMIN_TOKEN");
        assertThat(EmulatorConfig.fromEnv(Map.of("STEMFLOW_EMULATOR_API_KEYS", API_KEY,
                "STEMFLOW_EMULATOR_HOST", "0.0.0.0", "STEMFLOW_OPERATOR_TOKENS", OPERATOR)).access().auth())
                .isEqualTo(HttpAccess.Auth.TOKENS);
        assertThat(EmulatorConfig.fromEnv(Map.of("STEMFLOW_EMULATOR_API_KEYS", API_KEY,
                "STEMFLOW_EMULATOR_HOST", "0.0.0.0", "STEMFLOW_EMULATOR_ADMIN_TOKEN", ADMIN)).adminToken()).isPresent();
        assertThat(EmulatorConfig.fromEnv(Map.of("STEMFLOW_EMULATOR_API_KEYS", API_KEY)).access().auth())
                .as("on loopback without any credential: loopback callers only, as before")
                .isEqualTo(HttpAccess.Auth.OFF);
    }
}
