package io.stemflow.pipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.serde.AvroSerdeConfig;
import io.stemflow.serde.registry.RegistryAuth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline's schema registry credentials: read once (RegistryConnection), in its serde and Streams settings. */
class RegistryCredentialsSettingTest {

    @Test
    void shouldPassTheRegistryUserToStreamsWhenUserAndPasswordFileSet(@TempDir final Path dir) throws Exception {
        // given
        final Path password = dir.resolve("registry-password");
        Files.writeString(password, "writer-secret\n");

        // when
        final PipelineMain.Config config = PipelineMain.fromEnv(Map.of(
                PipelineMain.KAFKA_BOOTSTRAP_SERVERS, "localhost:9092",
                PipelineMain.SCHEMA_REGISTRY_URL, "http://localhost:8081",
                "STEMFLOW_HTTP_AUTH", "off",
                "STEMFLOW_SCHEMA_REGISTRY_USER", "stemflow-services",
                "STEMFLOW_SCHEMA_REGISTRY_PASSWORD_FILE", password.toString()));

        // then
        assertThat(config.streams().registry().auth()).isEqualTo(RegistryAuth.basic("stemflow-services", "writer-secret"));
        assertThat(PipelineStreams.properties(config.streams(), Optional.empty()))
                .containsEntry(AvroSerdeConfig.SCHEMA_REGISTRY_URL, "http://localhost:8081")
                .containsEntry(AvroSerdeConfig.BASIC_AUTH_USER_INFO, "stemflow-services:writer-secret");
        assertThat(config.streams().toString()).doesNotContain("writer-secret");
    }
}
