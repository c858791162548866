package io.stemflow.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BridgeConfigTest {

    @TempDir
    Path dir;

    @Test
    void shouldApplyDefaultsWhenOnlyRequiredVariablesAreSet() {
        // given
        final Map<String, String> env = Map.of(
                BridgeConfig.ENV_KAFKA_BOOTSTRAP, "kafka-1:9092,kafka-2:9092",
                BridgeConfig.ENV_SCHEMA_REGISTRY_URL, "http://registry:8081",
                BridgeConfig.ENV_CALLBACK_HMAC_KEY, Fixtures.CALLBACK_KEY);

        // when
        final BridgeConfig config = BridgeConfig.fromEnv(env);

        // then
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(8090);
        assertThat(config.maxBodyBytes()).isEqualTo(1024 * 1024);
        assertThat(config.produceTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.signatureMaxAge()).isEqualTo(Duration.ofSeconds(300));
        assertThat(config.retryAfter()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.resultsTopic()).isEqualTo("separation-results");
        assertThat(config.webhookKey()).isEmpty();
        assertThat(config.tls()).isEmpty();
        assertThat(config.callbackKey().bytes()).isEqualTo(Fixtures.CALLBACK_KEY.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldNameEveryMissingVariableWhenTheEnvironmentIsEmpty() {
        // given
        final Map<String, String> env = Map.of(BridgeConfig.ENV_KAFKA_BOOTSTRAP, "  ");

        // when / then
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env))
                .isInstanceOfSatisfying(BridgeConfigException.class, e -> assertThat(e.problems()).hasSize(3))
                .hasMessageContaining("STEMFLOW_KAFKA_BOOTSTRAP_SERVERS is required")
                .hasMessageContaining("STEMFLOW_SCHEMA_REGISTRY_URL is required")
                .hasMessageContaining("STEMFLOW_CALLBACK_HMAC_KEY or STEMFLOW_CALLBACK_HMAC_KEY_FILE is required");
    }

    @Test
    void shouldNameEachLimitWhenItIsOutOfRangeAndApplyTheDefaultsWhenUnset() {
        // given
        final Map<String, String> env = valid();
        env.put(CallbackLimits.ENV_READ_TIMEOUT_MS, "99");
        env.put(CallbackLimits.ENV_MAX_REQUESTS_PER_CLIENT, "0");
        env.put(CallbackLimits.ENV_REPLAY_CACHE_MAX_ENTRIES, "lots");

        // when / then
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env))
                .isInstanceOfSatisfying(BridgeConfigException.class, e -> assertThat(e.problems()).hasSize(3))
                .hasMessageContaining("STEMFLOW_BRIDGE_READ_TIMEOUT_MS must be between 100 and 60000, was 99")
                .hasMessageContaining("STEMFLOW_BRIDGE_MAX_REQUESTS_PER_CLIENT")
                .hasMessageContaining("STEMFLOW_BRIDGE_REPLAY_CACHE_MAX_ENTRIES must be an integer, was 'lots'");
        assertThat(BridgeConfig.fromEnv(valid()).limits()).isEqualTo(new CallbackLimits(Duration.ofSeconds(10), 32, 100_000));
    }

    @Test
    void shouldNameTheVariableButNotTheValueWhenASecretIsTooShort() {
        // given
        final Map<String, String> env = valid();
        env.put(BridgeConfig.ENV_CALLBACK_HMAC_KEY, "short-s3cret");

        // when / then
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env))
                .hasMessageContaining("STEMFLOW_CALLBACK_HMAC_KEY must have at least 16 bytes, it has 12")
                .hasMessageNotContaining("short-s3cret");
    }

    @Test
    void shouldListEveryInvalidValueWhenSeveralAreWrong() {
        // given
        final Map<String, String> env = valid();
        env.put(BridgeConfig.ENV_PORT, "eighty");
        env.put(BridgeConfig.ENV_MAX_BODY_BYTES, "10");
        env.put(BridgeConfig.ENV_PRODUCE_TIMEOUT_MS, "15000");
        env.put(BridgeConfig.ENV_SHUTDOWN_TIMEOUT_MS, "30000");
        env.put(BridgeConfig.ENV_RESULTS_TOPIC, "bad topic");
        env.put(BridgeConfig.ENV_KAFKA_BOOTSTRAP, "kafka-without-port");
        env.put(BridgeConfig.ENV_SCHEMA_REGISTRY_URL, "ftp://user:hunter2@registry");

        // when / then
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env))
                .hasMessageContaining("STEMFLOW_BRIDGE_PORT must be an integer, was 'eighty'");
        env.put(BridgeConfig.ENV_PORT, "70000");
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env))
                .isInstanceOfSatisfying(BridgeConfigException.class, e -> assertThat(e.problems()).hasSize(6))
                .hasMessageContaining("STEMFLOW_BRIDGE_PORT must be between 0 and 65535, was 70000")
                .hasMessageContaining("STEMFLOW_BRIDGE_MAX_BODY_BYTES must be between 256 and")
                .hasMessageContaining("STEMFLOW_BRIDGE_PRODUCE_TIMEOUT_MS must be between 100 and 10000")
                .hasMessageContaining("STEMFLOW_TOPIC_RESULTS must be a legal Kafka topic name")
                .hasMessageContaining("STEMFLOW_KAFKA_BOOTSTRAP_SERVERS must be a comma-separated list of host:port")
                .hasMessageContaining("STEMFLOW_SCHEMA_REGISTRY_URL must hold http(s) URLs")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void shouldRefuseAShutdownTimeoutShorterThanTheProduceTimeout() {
        // given
        final Map<String, String> env = valid();
        env.put(BridgeConfig.ENV_PRODUCE_TIMEOUT_MS, "8000");
        env.put(BridgeConfig.ENV_SHUTDOWN_TIMEOUT_MS, "2000");

        // when / then
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env))
                .hasMessageContaining("STEMFLOW_BRIDGE_SHUTDOWN_TIMEOUT_MS (2000) must not be shorter than "
                        + "STEMFLOW_BRIDGE_PRODUCE_TIMEOUT_MS (8000)");
    }

    @Test
    void shouldReadSecretsFromFilesWhenFileVariablesAreSet() throws Exception {
        // given
        final Path callbackKey = Files.writeString(dir.resolve("callback.key"), "\n  " + Fixtures.CALLBACK_KEY + "  \n");
        final Path webhookKey = Files.writeString(dir.resolve("webhook.key"), Fixtures.WEBHOOK_KEY + "\n");
        final Map<String, String> env = valid();
        env.remove(BridgeConfig.ENV_CALLBACK_HMAC_KEY);
        env.put(BridgeConfig.ENV_CALLBACK_HMAC_KEY + "_FILE", callbackKey.toString());
        env.put(BridgeConfig.ENV_PROVIDER_WEBHOOK_KEY + "_FILE", webhookKey.toString());

        // when
        final BridgeConfig config = BridgeConfig.fromEnv(env);

        // then
        assertThat(config.callbackKey().bytes()).isEqualTo(Fixtures.CALLBACK_KEY.getBytes(StandardCharsets.UTF_8));
        assertThat(config.webhookKey()).hasValueSatisfying(key ->
                assertThat(key.bytes()).isEqualTo(Fixtures.WEBHOOK_KEY.getBytes(StandardCharsets.UTF_8)));
        assertThat(config.signaturesRequired()).isTrue();
    }

    @Test
    void shouldRefuseAnEmptyKeyFile() throws Exception {
        // given
        final Path empty = Files.writeString(dir.resolve("empty.key"), " \n\n");
        final Map<String, String> env = valid();
        env.put(BridgeConfig.ENV_PROVIDER_WEBHOOK_KEY + "_FILE", empty.toString());

        // when / then
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env))
                .hasMessageContaining("STEMFLOW_PROVIDER_WEBHOOK_KEY_FILE points to an empty file: " + empty);
    }

    @Test
    void shouldRefuseWhenASecretIsGivenTwiceOrItsFileIsMissing() {
        // given
        final Map<String, String> env = valid();
        env.put(BridgeConfig.ENV_CALLBACK_HMAC_KEY + "_FILE", dir.resolve("callback.key").toString());
        env.put(BridgeConfig.ENV_PROVIDER_WEBHOOK_KEY + "_FILE", dir.resolve("missing.key").toString());

        // when / then
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env))
                .hasMessageContaining("set only one of STEMFLOW_CALLBACK_HMAC_KEY and STEMFLOW_CALLBACK_HMAC_KEY_FILE")
                .hasMessageContaining("STEMFLOW_PROVIDER_WEBHOOK_KEY_FILE points to a file that does not exist")
                .hasMessageNotContaining(Fixtures.CALLBACK_KEY);
    }

    @Test
    void shouldRequireAPasswordWhenATlsKeystoreIsSet() throws Exception {
        // given
        final Path keystore = Files.write(dir.resolve("bridge.p12"), new byte[] {1, 2, 3});
        final Map<String, String> env = valid();
        env.put(BridgeConfig.ENV_TLS_KEYSTORE, keystore.toString());
        env.put(BridgeConfig.ENV_TLS_KEYSTORE_TYPE, "PEM");

        // when / then
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env))
                .hasMessageContaining("STEMFLOW_BRIDGE_TLS_KEYSTORE_PASSWORD or STEMFLOW_BRIDGE_TLS_KEYSTORE_PASSWORD_FILE "
                        + "is required when STEMFLOW_BRIDGE_TLS_KEYSTORE is set")
                .hasMessageContaining("STEMFLOW_BRIDGE_TLS_KEYSTORE_TYPE must be PKCS12 or JKS, was 'PEM'");
    }

    @Test
    void shouldHideSecretsAndRegistryCredentialsWhenPrinted() {
        // given
        final Map<String, String> env = valid();
        env.put(BridgeConfig.ENV_PROVIDER_WEBHOOK_KEY, Fixtures.WEBHOOK_KEY);
        env.put(BridgeConfig.ENV_SCHEMA_REGISTRY_URL, "http://svc:hunter2@registry:8081");

        // when
        final String printed = BridgeConfig.fromEnv(env).toString();

        // then
        assertThat(printed)
                .doesNotContain(Fixtures.CALLBACK_KEY)
                .doesNotContain(Fixtures.WEBHOOK_KEY)
                .doesNotContain("hunter2")
                .contains("registry:8081")
                .contains("Secret[hidden]");
    }

    private static Map<String, String> valid() {
        return new HashMap<>(Fixtures.env("kafka:9092", "http://registry:8081", "separation-results"));
    }
}
