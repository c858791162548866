package io.stemflow.serde.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.serde.AvroSerdeConfig;
import io.stemflow.service.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryConnectionTest {

    @Test
    void shouldReadUserAndPasswordFileWhenBothSet(@TempDir final Path dir) throws Exception {
        // given
        final Path file = dir.resolve("registry-password");
        Files.writeString(file, "# the writer's registry password\ns3:cret\n");
        final Settings settings = new Settings("test", Map.of(
                "STEMFLOW_SCHEMA_REGISTRY_USER", "svc", "STEMFLOW_SCHEMA_REGISTRY_PASSWORD_FILE", file.toString()));

        // when
        final RegistryConnection connection = RegistryConnection.read(settings, "http://127.0.0.1:8081/").orElseThrow();

        // then
        assertThat(settings.problems()).isEmpty();
        assertThat(connection.urls()).isEqualTo("http://127.0.0.1:8081");
        assertThat(connection.auth()).isEqualTo(RegistryAuth.basic("svc", "s3:cret"));
        assertThat(connection.serdeConfig()).containsEntry(AvroSerdeConfig.SCHEMA_REGISTRY_URL, "http://127.0.0.1:8081")
                .containsEntry(AvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO")
                .containsEntry(AvroSerdeConfig.BASIC_AUTH_USER_INFO, "svc:s3:cret");
        assertThat(AvroSerdeConfig.parse(connection.serdeConfig(), false).registryClientConfig())
                .isEqualTo(connection.clientConfig());
        assertThat(connection.toString()).doesNotContain("svc").doesNotContain("s3:cret");
    }

    @Test
    void shouldHaveNoCredentialsWhenNoneSet() {
        // given
        final Settings settings = new Settings("test", Map.of());

        // when
        final RegistryConnection connection = RegistryConnection.read(settings, "http://a:1,http://b:2").orElseThrow();

        // then
        assertThat(connection.auth()).isEqualTo(RegistryAuth.none());
        assertThat(connection.serdeConfig()).containsOnlyKeys(AvroSerdeConfig.SCHEMA_REGISTRY_URL);
    }

    @Test
    void shouldMoveUrlCredentialsOutOfTheUrlWhenGivenThere() {
        // when
        final RegistryConnection connection = RegistryConnection.of("http://alice:pa%40ss@r:8081");

        // then
        assertThat(connection.urls()).isEqualTo("http://r:8081");
        assertThat(connection.auth()).isEqualTo(RegistryAuth.basic("alice", "pa@ss"));
    }

    @Test
    void shouldNameTheVariablesWithoutShowingSecretsWhenIncomplete() {
        // given
        final Settings onlyUser = new Settings("test", Map.of("STEMFLOW_SCHEMA_REGISTRY_USER", "svc"));
        final Settings onlyPassword = new Settings("test", Map.of("STEMFLOW_SCHEMA_REGISTRY_PASSWORD", "hunter2"));
        final Settings twice = new Settings("test", Map.of(
                "STEMFLOW_SCHEMA_REGISTRY_USER", "svc", "STEMFLOW_SCHEMA_REGISTRY_PASSWORD", "hunter2"));

        // when
        RegistryConnection.read(onlyUser, "http://r:1");
        RegistryConnection.read(onlyPassword, "http://r:1");
        RegistryConnection.read(twice, "http://bob:other@r:1");

        // then
        assertThat(onlyUser.problems()).containsExactly(
                "STEMFLOW_SCHEMA_REGISTRY_USER is set without STEMFLOW_SCHEMA_REGISTRY_PASSWORD or "
                        + "STEMFLOW_SCHEMA_REGISTRY_PASSWORD_FILE");
        assertThat(onlyPassword.problems()).containsExactly(
                "STEMFLOW_SCHEMA_REGISTRY_PASSWORD is set without STEMFLOW_SCHEMA_REGISTRY_USER");
        assertThat(twice.problems()).singleElement().asString()
                .contains("STEMFLOW_SCHEMA_REGISTRY_URL is invalid: registry credentials are given twice")
                .doesNotContain("hunter2").doesNotContain("other");
    }

    @Test
    void shouldRefuseAUrlThatIsNotHttp() {
        assertThatThrownBy(() -> RegistryConnection.of("ftp://alice:s3cret@r:1"))
                .isInstanceOf(IllegalArgumentException.class)
                .message().doesNotContain("s3cret");
    }
}
