package io.stemflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.serde.AvroSerdeConfig;
import io.stemflow.serde.registry.RegistryAuth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway's schema registry credentials: read once (RegistryConnection), used by its serdes, never shown. */
class RegistryCredentialsSettingTest {

    @Test
    void shouldPassTheRegistryUserToItsSerdesWhenUserAndPasswordFileSet(@TempDir final Path dir) throws Exception {
        // given
        final Path password = dir.resolve("registry-password");
        Files.writeString(password, "writer-secret\n");
        final Map<String, String> env = required();
        env.put("STEMFLOW_SCHEMA_REGISTRY_USER", "stemflow-services");
        env.put("STEMFLOW_SCHEMA_REGISTRY_PASSWORD_FILE", password.toString());

        // when
        final GatewayConfig config = GatewayConfig.fromEnv(env);

        // then
        assertThat(config.kafka().registry().auth()).isEqualTo(RegistryAuth.basic("stemflow-services", "writer-secret"));
        assertThat(config.kafka().registry().serdeConfig())
                .containsEntry(AvroSerdeConfig.BASIC_AUTH_USER_INFO, "stemflow-services:writer-secret");
        assertThat(config.toString()).doesNotContain("writer-secret");
    }

    @Test
    void shouldNeverShowCredentialsOfTheUrlWhenPrinted() {
        // given
        final Map<String, String> env = required();
        env.put(GatewayConfig.SCHEMA_REGISTRY_URL, "http://svc:url-secret@localhost:8081");

        // when
        final GatewayConfig config = GatewayConfig.fromEnv(env);

        // then
        assertThat(config.toString()).contains("http://localhost:8081").doesNotContain("url-secret");
        assertThat(config.kafka().registry().auth()).isEqualTo(RegistryAuth.basic("svc", "url-secret"));
    }

    @Test
    void shouldNameTheMissingPasswordWhenOnlyTheUserIsSet() {
        // given
        final Map<String, String> env = required();
        env.put("STEMFLOW_SCHEMA_REGISTRY_USER", "stemflow-services");

        // when / then
        assertThatThrownBy(() -> GatewayConfig.fromEnv(env)).hasMessageContaining(
                "STEMFLOW_SCHEMA_REGISTRY_USER is set without STEMFLOW_SCHEMA_REGISTRY_PASSWORD");
    }

    private static Map<String, String> required() {
        final Map<String, String> env = new HashMap<>();
        env.put(GatewayConfig.PROVIDER_BASE_URL, "https://provider.example");
        env.put(GatewayConfig.PROVIDER_API_KEY, "sk-test-0123456789abcdef");
        env.put(GatewayConfig.CALLBACK_HMAC_KEY, "0123456789abcdef0123456789abcdef");
        env.put(GatewayConfig.BRIDGE_PUBLIC_URL, "https://bridge.example");
        env.put(GatewayConfig.KAFKA_BOOTSTRAP_SERVERS, "localhost:9092");
        env.put(GatewayConfig.SCHEMA_REGISTRY_URL, "http://localhost:8081");
        env.put("STEMFLOW_HTTP_AUTH", "off"); // the gateway's own HTTP tokens are not what this test is about
        return env;
    }
}
