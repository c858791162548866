package io.stemflow.archiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.schemas.TopicNames;
import io.stemflow.service.SettingsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiverConfigTest {

    @TempDir
    Path dir;

    private static Map<String, String> env() {
        final Map<String, String> env = new HashMap<>();
        env.put(ArchiverConfig.KAFKA_BOOTSTRAP_SERVERS, "localhost:9092");
        env.put(ArchiverConfig.SCHEMA_REGISTRY_URL, "http://localhost:8081");
        return env;
    }

    @Test
    void shouldKeepTheArchiveInAFolderWhenNoBucketIsSet() {
        // when
        final ArchiverConfig config = ArchiverConfig.fromEnv(env());

        // then
        assertThat(config.s3()).isNull();
        assertThat(config.archiveDir()).isEqualTo(Path.of(".stemflow/archive"));
        assertThat(config.applicationId()).isEqualTo("stemflow-archiver");
        assertThat(config.workerGroup()).isEqualTo("stemflow-archiver-worker");
        assertThat(config.outcomesTopic()).isEqualTo("stemflow-archiver-outcomes");
        assertThat(config.topics()).isEqualTo(new ArchiverConfig.Topics(TopicNames.STEMS, TopicNames.ARCHIVED,
                TopicNames.DLQ, TopicNames.LINK_REFRESH, TopicNames.LINKS, TopicNames.STATUS, TopicNames.MANIFESTS));
        assertThat(config.linkRefreshes()).isEqualTo(3);
        assertThat(config.manifestGrace()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.concurrency()).isEqualTo(4);
        assertThat(config.fetch().attempts()).isEqualTo(5);
    }

    @Test
    void shouldReadTheBucketWhenOneIsSet() throws Exception {
        // given
        final Path secret = Files.writeString(dir.resolve("s3-secret"), "wJalrXUtnFEMI-example-secret\n");
        final Map<String, String> env = env();
        env.put(ArchiverConfig.S3_BUCKET, "label-stems");
        env.put(ArchiverConfig.S3_PREFIX, "stemflow");
        env.put(ArchiverConfig.S3_ENDPOINT, "http://minio:9000");
        env.put(ArchiverConfig.S3_ACCESS_KEY_ID, "AKIAEXAMPLE");
        env.put(ArchiverConfig.S3_SECRET_ACCESS_KEY_FILE, secret.toString());
        env.put(ArchiverConfig.CONCURRENCY, "16");
        env.put(ArchiverConfig.FETCH_TIMEOUT, "2m");

        // when
        final ArchiverConfig config = ArchiverConfig.fromEnv(env);

        // then
        assertThat(config.s3().bucket()).isEqualTo("label-stems");
        assertThat(config.s3().prefix()).isEqualTo("stemflow/");
        assertThat(config.s3().region()).isEqualTo("us-east-1");
        assertThat(config.s3().pathStyle()).isTrue();
        assertThat(config.s3().secretAccessKeyFile()).isEqualTo(secret);
        assertThat(config.concurrency()).isEqualTo(16);
        assertThat(config.fetch().headersTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.toString()).doesNotContain("wJalrXUtnFEMI");
    }

    @Test
    void shouldNameEveryBadVariableWhenSeveralAreWrong() {
        // given
        final Map<String, String> env = env();
        env.put(ArchiverConfig.CONCURRENCY, "0");
        env.put(ArchiverConfig.APPLICATION_ID, "has space");
        env.put(ArchiverConfig.S3_BUCKET, "Not_A_Bucket");
        env.put(ArchiverConfig.FETCH_ATTEMPTS, "many");

        // when / then
        assertThatThrownBy(() -> ArchiverConfig.fromEnv(env)).isInstanceOf(SettingsException.class)
                .hasMessageContaining(ArchiverConfig.CONCURRENCY)
                .hasMessageContaining(ArchiverConfig.APPLICATION_ID)
                .hasMessageContaining("bucket")
                .hasMessageContaining(ArchiverConfig.FETCH_ATTEMPTS);
    }

    @Test
    void shouldRefuseTheKeyIdWhenItsSecretFileIsMissing() {
        // given
        final Map<String, String> env = env();
        env.put(ArchiverConfig.S3_BUCKET, "label-stems");
        env.put(ArchiverConfig.S3_ACCESS_KEY_ID, "AKIAEXAMPLE");

        // when / then
        assertThatThrownBy(() -> ArchiverConfig.fromEnv(env)).isInstanceOf(SettingsException.class)
                .hasMessageContaining(ArchiverConfig.S3_ACCESS_KEY_ID + " and " + ArchiverConfig.S3_SECRET_ACCESS_KEY_FILE + " go together");
    }

    @Test
    void shouldReadTheManifestGraceWhenItIsSet() {
        // given
        final Map<String, String> env = env();
        env.put(ArchiverConfig.MANIFEST_GRACE, "2m");

        // when
        final ArchiverConfig config = ArchiverConfig.fromEnv(env);

        // then
        assertThat(config.manifestGrace()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.withManifestGrace(Duration.ofSeconds(1)).manifestGrace()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void shouldNameTheSettingWhenTheManifestGraceIsNotADurationOrTooShort() {
        // given
        final Map<String, String> env = env();
        env.put(ArchiverConfig.MANIFEST_GRACE, "soon");
        final Map<String, String> tooShort = env();
        tooShort.put(ArchiverConfig.MANIFEST_GRACE, "10ms");

        // when / then
        assertThatThrownBy(() -> ArchiverConfig.fromEnv(env)).isInstanceOf(SettingsException.class)
                .hasMessageContaining(ArchiverConfig.MANIFEST_GRACE);
        assertThatThrownBy(() -> ArchiverConfig.fromEnv(tooShort)).isInstanceOf(SettingsException.class)
                .hasMessageContaining(ArchiverConfig.MANIFEST_GRACE).hasMessageContaining("at least");
    }
}
