package io.stemflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.avro.SeparationType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration parsed once and validated: errors name the variable, never a secret's value. */
class GatewayConfigTest {

    private static final String API_KEY = "sk-config-test-a1b2c3d4e5";
    private static final String HMAC = "hmac-config-test-0123456789";

    @Test
    void shouldApplyDefaultsWhenOnlyRequiredVariablesAreSet() {
        // when
        final GatewayConfig config = GatewayConfig.fromEnv(required());

        // then
        assertThat(config.rate().requests()).isEqualTo(20);
        assertThat(config.rate().window()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.rate().takeoverHold()).isEqualTo(Duration.ofMillis(10_050));
        assertThat(config.flow().inFlight()).isEqualTo(16);
        assertThat(config.topics().admitted()).isEqualTo("separation-admitted");
        assertThat(config.topics().submissions()).isEqualTo("separation-submissions");
        assertThat(config.costs().costOf(SeparationType.SPLIT_STEM)).isEqualTo(50);
        assertThat(config.costs().costOf(SeparationType.SEPARATE_VOCAL)).isEqualTo(10);
        assertThat(config.kafka().transactionalId("submitter")).isEqualTo("stemflow-gateway-submitter");
        assertThat(config.kafka().groupInstanceId("submitter")).isEqualTo("stemflow-gateway-0-submitter");
        assertThat(config.kafka().groupId("reconciler")).isEqualTo("stemflow-gateway-reconciler");
        assertThat(config.provider().apiKey().get().reveal()).isEqualTo(API_KEY);
        assertThat(config.describe()).doesNotContain(API_KEY).doesNotContain(HMAC);
        assertThat(config.toString()).doesNotContain(API_KEY).doesNotContain(HMAC);
    }

    @Test
    void shouldFollowWindowAndMarginWhenTakeoverHoldIsNotSet() {
        // given
        final Map<String, String> env = required();
        env.put(GatewayConfig.RATE_LIMIT_WINDOW, "2s");
        env.put(GatewayConfig.RATE_LIMIT_MARGIN, "20ms");

        // when / then
        assertThat(GatewayConfig.fromEnv(env).rate().takeoverHold()).isEqualTo(Duration.ofMillis(2020));
    }

    @Test
    void shouldDisableTheHoldWhenTakeoverHoldIsZero() {
        // given
        final Map<String, String> env = required();
        env.put(GatewayConfig.TAKEOVER_HOLD, "0s");

        // when / then
        assertThat(GatewayConfig.fromEnv(env).rate().takeoverHold()).isZero();
    }

    @Test
    void shouldWarnThatItIsNoLongerUsedWhenTheRetiredInstancesVariableIsSet() {
        // given
        final Map<String, String> env = required();
        env.put(GatewayConfig.RETIRED_INSTANCES, "3");

        // when
        final GatewayConfig config;
        final List<String> lines;
        try (LogCapture logs = LogCapture.open()) {
            config = GatewayConfig.fromEnv(env);
            lines = logs.lines();
        }

        // then: the whole limit, and one clear warning (not the generic "typo?" one)
        assertThat(config.rate().requests()).isEqualTo(20);
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("WARN")
                .contains(GatewayConfig.RETIRED_INSTANCES + " is no longer used")
                .contains("one active instance uses the whole limit"));
        assertThat(lines).noneSatisfy(line -> assertThat(line).contains("typo?"));
    }

    @Test
    void shouldListEveryProblemByVariableWhenSettingsAreInvalid() {
        // given
        final Map<String, String> env = required();
        env.remove(GatewayConfig.KAFKA_BOOTSTRAP_SERVERS);
        env.put(GatewayConfig.RATE_LIMIT_WINDOW, "ten seconds");
        env.put(GatewayConfig.IN_FLIGHT, "0");
        env.put(GatewayConfig.TAKEOVER_HOLD, "soon");
        env.put(GatewayConfig.PROVIDER_BASE_URL, "ftp://provider");

        // when / then
        assertThatThrownBy(() -> GatewayConfig.fromEnv(env))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(GatewayConfig.KAFKA_BOOTSTRAP_SERVERS + " is required")
                .hasMessageContaining(GatewayConfig.RATE_LIMIT_WINDOW)
                .hasMessageContaining(GatewayConfig.IN_FLIGHT + " must be at least 1")
                .hasMessageContaining(GatewayConfig.TAKEOVER_HOLD + " must be a duration")
                .hasMessageContaining(GatewayConfig.PROVIDER_BASE_URL);
    }

    @Test
    void shouldNeverShowSecretValuesWhenSecretsAreInvalid() {
        // given: a short HMAC key and an API key with whitespace
        final Map<String, String> env = required();
        env.put(GatewayConfig.CALLBACK_HMAC_KEY, "short-hmac-x");
        env.put(GatewayConfig.PROVIDER_API_KEY, "sk-has space-9f8e7d");

        // when / then
        assertThatThrownBy(() -> GatewayConfig.fromEnv(env))
                .hasMessageContaining(GatewayConfig.CALLBACK_HMAC_KEY + " must have at least 16 bytes, it has 12")
                .hasMessageContaining(GatewayConfig.PROVIDER_API_KEY + " must not contain whitespace")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("short-hmac-x")
                        .doesNotContain("sk-has").doesNotContain("9f8e7d"));
    }

    @Test
    void shouldRefuseBothValueAndFileWhenASecretIsGivenTwice(@TempDir final Path dir) throws Exception {
        // given
        final Path file = Files.writeString(dir.resolve("key"), API_KEY);
        final Map<String, String> env = required();
        env.put(GatewayConfig.PROVIDER_API_KEY_FILE, file.toString());

        // when / then
        assertThatThrownBy(() -> GatewayConfig.fromEnv(env)).hasMessageContaining(
                "set only one of " + GatewayConfig.PROVIDER_API_KEY + " and " + GatewayConfig.PROVIDER_API_KEY_FILE);
    }

    @Test
    void shouldReadKeyFileAgainWhenItChanges(@TempDir final Path dir) throws Exception {
        // given
        final Path file = Files.writeString(dir.resolve("key"), API_KEY + "\n");
        final Map<String, String> env = required();
        env.remove(GatewayConfig.PROVIDER_API_KEY);
        env.put(GatewayConfig.PROVIDER_API_KEY_FILE, file.toString());
        final GatewayConfig config = GatewayConfig.fromEnv(env);
        assertThat(config.provider().apiKey().get().reveal()).isEqualTo(API_KEY);

        // when
        Files.writeString(file, "sk-rotated-key-000111222\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));

        // then
        assertThat(config.provider().apiKey().get().reveal()).isEqualTo("sk-rotated-key-000111222");
        assertThat(config.provider().apiKey().toString()).doesNotContain("sk-rotated");
    }

    @Test
    void shouldNameTheFileButNotTheValueWhenKeyFileIsMissing(@TempDir final Path dir) {
        // given
        final Map<String, String> env = required();
        env.remove(GatewayConfig.CALLBACK_HMAC_KEY);
        env.put(GatewayConfig.CALLBACK_HMAC_KEY_FILE, dir.resolve("missing").toString());

        // when / then
        assertThatThrownBy(() -> GatewayConfig.fromEnv(env)).hasMessageContaining(
                GatewayConfig.CALLBACK_HMAC_KEY_FILE + " points to a file that does not exist or cannot be read: "
                        + dir.resolve("missing"));
    }

    private static Map<String, String> required() {
        final Map<String, String> env = new HashMap<>();
        env.put(GatewayConfig.PROVIDER_BASE_URL, "https://provider.example");
        env.put(GatewayConfig.PROVIDER_API_KEY, API_KEY);
        env.put(GatewayConfig.CALLBACK_HMAC_KEY, HMAC);
        env.put(GatewayConfig.BRIDGE_PUBLIC_URL, "https://bridge.example");
        env.put(GatewayConfig.KAFKA_BOOTSTRAP_SERVERS, "localhost:9092");
        env.put(GatewayConfig.SCHEMA_REGISTRY_URL, "http://localhost:8081");
        env.put("STEMFLOW_VIEWER_TOKENS", "gateway-viewer-token-0123456789");
        return env;
    }

    @Test
    void shouldListenOnLoopbackWhenTheHttpHostIsNotSet() {
        // when
        final GatewayConfig config = GatewayConfig.fromEnv(required());
        // then
        assertThat(config.http().host()).isEqualTo("127.0.0.1");
        assertThat(config.http().access().auth()).isEqualTo(io.stemflow.http.HttpAccess.Auth.TOKENS);
    }

    @Test
    void shouldRefuseToStartWhenNoAccessTokenIsConfiguredAndAuthIsNotOff() {
        // given
        final Map<String, String> env = required();
        env.remove("STEMFLOW_VIEWER_TOKENS");
        // when / then
        assertThatThrownBy(() -> GatewayConfig.fromEnv(env)).hasMessageContaining("STEMFLOW_OPERATOR_TOKENS")
                .hasMessageContaining("STEMFLOW_HTTP_AUTH=off");
        env.put("STEMFLOW_HTTP_AUTH", "off");
        assertThat(GatewayConfig.fromEnv(env).http().access().auth()).isEqualTo(io.stemflow.http.HttpAccess.Auth.OFF);
    }
}
