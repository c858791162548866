package io.stemflow.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.bridge.BridgeConfig;
import io.stemflow.emulator.EmulatorConfig;
import io.stemflow.gateway.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One key file, read by the real configuration parsing of the services that share it, gives one key: the
 * emulator signs callbacks with its webhook key and the bridge verifies them with the provider's webhook key;
 * the gateway mints callback tokens and the bridge checks them. Each file starts with a comment line and ends
 * with a blank line, which every service skips by the same {@link SecretFile} rule.
 */
class SharedKeyFileTest {

    private static final String WEBHOOK_KEY = "whsec-0123456789abcdef";
    private static final String HMAC_KEY = "callback-hmac-key-0123456789";

    @TempDir
    Path dir;

    @Test
    void shouldDeriveTheSameWebhookKeyWhenEmulatorAndBridgeReadOneKeyFile() throws Exception {
        // given
        final Path file = Files.writeString(dir.resolve("webhook.key"),
                "# webhook signing key of the provider account (shared by emulator and bridge)\n\n  "
                        + WEBHOOK_KEY + "  \n\n");

        // when
        final EmulatorConfig emulator = EmulatorConfig.fromEnv(Map.of(
                "STEMFLOW_EMULATOR_API_KEYS", "sk-test-key",
                "STEMFLOW_EMULATOR_WEBHOOK_KEY_FILE", file.toString()));
        final BridgeConfig bridge = BridgeConfig.fromEnv(bridgeEnv(Map.of(
                "STEMFLOW_PROVIDER_WEBHOOK_KEY_FILE", file.toString())));

        // then
        assertThat(emulator.webhookKey()).isPresent();
        assertThat(bridge.webhookKey()).isPresent();
        assertThat(bridge.webhookKey().get()).isEqualTo(emulator.webhookKey().get());
        assertThat(bridge.webhookKey().get().bytes()).isEqualTo(emulator.webhookKey().get().bytes());
        assertThat(emulator.webhookKey().get().reveal()).isEqualTo(WEBHOOK_KEY);
    }

    @Test
    void shouldDeriveTheSameCallbackKeyWhenGatewayAndBridgeReadOneKeyFile() throws Exception {
        // given
        final Path file = Files.writeString(dir.resolve("callback.key"),
                "# HMAC key of the callback token\n" + HMAC_KEY + "\n# rotated 2025-01-01\n");

        // when
        final GatewayConfig gateway = GatewayConfig.fromEnv(Map.of(
                "STEMFLOW_PROVIDER_BASE_URL", "http://localhost:8089",
                "STEMFLOW_PROVIDER_API_KEY", "sk-test-key-0123456789",
                "STEMFLOW_CALLBACK_HMAC_KEY_FILE", file.toString(),
                "STEMFLOW_BRIDGE_PUBLIC_URL", "http://localhost:8090",
                "STEMFLOW_KAFKA_BOOTSTRAP_SERVERS", "localhost:9092",
                "STEMFLOW_SCHEMA_REGISTRY_URL", "http://localhost:8081",
                "STEMFLOW_VIEWER_TOKENS", "shared-key-viewer-token-0123456789"));
        final BridgeConfig bridge = BridgeConfig.fromEnv(Map.of(
                "STEMFLOW_KAFKA_BOOTSTRAP_SERVERS", "localhost:9092",
                "STEMFLOW_SCHEMA_REGISTRY_URL", "http://localhost:8081",
                "STEMFLOW_CALLBACK_HMAC_KEY_FILE", file.toString()));

        // then
        assertThat(bridge.callbackKey()).isEqualTo(gateway.callback().hmacKey());
        assertThat(bridge.callbackKey().reveal()).isEqualTo(HMAC_KEY);
    }

    private static Map<String, String> bridgeEnv(final Map<String, String> more) {
        final java.util.HashMap<String, String> env = new java.util.HashMap<>(Map.of(
                "STEMFLOW_KAFKA_BOOTSTRAP_SERVERS", "localhost:9092",
                "STEMFLOW_SCHEMA_REGISTRY_URL", "http://localhost:8081",
                "STEMFLOW_CALLBACK_HMAC_KEY", HMAC_KEY));
        env.putAll(more);
        return env;
    }
}
