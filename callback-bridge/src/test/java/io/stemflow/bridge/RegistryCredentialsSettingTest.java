package io.stemflow.bridge;

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

/** The bridge's schema registry credentials: read once (RegistryConnection), used by its serde, never shown. */
class RegistryCredentialsSettingTest {

    @Test
    void shouldPassTheRegistryUserToItsSerdeWhenUserAndPasswordFileSet(@TempDir final Path dir) throws Exception {
        // given
        final Path password = dir.resolve("registry-password");
        Files.writeString(password, "writer-secret\n");
        final Map<String, String> env = valid();
        env.put("STEMFLOW_SCHEMA_REGISTRY_USER", "stemflow-services");
        env.put("STEMFLOW_SCHEMA_REGISTRY_PASSWORD_FILE", password.toString());

        // when
        final BridgeConfig config = BridgeConfig.fromEnv(env);

        // then
        assertThat(config.registry().auth()).isEqualTo(RegistryAuth.basic("stemflow-services", "writer-secret"));
        assertThat(config.registry().serdeConfig())
                .containsEntry(AvroSerdeConfig.BASIC_AUTH_USER_INFO, "stemflow-services:writer-secret");
        assertThat(config.toString()).doesNotContain("writer-secret");
    }

    @Test
    void shouldRefuseCredentialsGivenTwiceWithoutShowingThem() {
        // given
        final Map<String, String> env = valid();
        env.put(BridgeConfig.ENV_SCHEMA_REGISTRY_URL, "http://svc:url-secret@registry:8081");
        env.put("STEMFLOW_SCHEMA_REGISTRY_USER", "stemflow-services");
        env.put("STEMFLOW_SCHEMA_REGISTRY_PASSWORD", "env-secret");

        // when / then
        assertThatThrownBy(() -> BridgeConfig.fromEnv(env))
                .hasMessageContaining("STEMFLOW_SCHEMA_REGISTRY_URL carries credentials and "
                        + "STEMFLOW_SCHEMA_REGISTRY_USER is set")
                .message().doesNotContain("url-secret").doesNotContain("env-secret");
    }

    private static Map<String, String> valid() {
        return new HashMap<>(Fixtures.env("kafka:9092", "http://registry:8081", "separation-results"));
    }
}
