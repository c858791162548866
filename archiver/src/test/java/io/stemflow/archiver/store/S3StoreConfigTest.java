package io.stemflow.archiver.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class S3StoreConfigTest {

    private static final URI ENDPOINT = URI.create("http://127.0.0.1:9000");
    private static final Path KEY_FILE = Path.of("/run/secrets/s3-secret");

    @Test
    void shouldEndThePrefixWithASlashWhenItHasNone() {
        // when
        final S3StoreConfig config = new S3StoreConfig("stems", "archive/v1", "us-east-1", ENDPOINT, true, "id",
                KEY_FILE);

        // then
        assertThat(config.prefix()).isEqualTo("archive/v1/");
        assertThat(config.hasStaticCredentials()).isTrue();
    }

    @Test
    void shouldUseTheBucketRootAndTheDefaultChainWhenPrefixAndCredentialsAreNull() {
        // when
        final S3StoreConfig config = new S3StoreConfig("my.stems-2", null, "eu-central-1", null, false, null, null);

        // then
        assertThat(config.prefix()).isEmpty();
        assertThat(config.hasStaticCredentials()).isFalse();
    }

    @Test
    void shouldKeepThePrefixWhenItAlreadyEndsWithASlash() {
        // when
        final S3StoreConfig config = new S3StoreConfig("stems", "a/", "us-east-1", null, false, null, null);

        // then
        assertThat(config.prefix()).isEqualTo("a/");
    }

    @Test
    void shouldReportEveryProblemTogetherWhenSeveralSettingsAreWrong() {
        // when / then
        assertThatThrownBy(() -> new S3StoreConfig("Stems_Bucket", "/abs", " ", URI.create("ftp://host/x"), true,
                "id", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bucket must be 3 to 63 lower-case letters")
                .hasMessageContaining("prefix must not start with '/'")
                .hasMessageContaining("region is required")
                .hasMessageContaining("endpoint must be an http or https URI")
                .hasMessageContaining("accessKeyId and secretAccessKeyFile go together");
    }

    @Test
    void shouldRefuseTheBucketWhenItsNameBreaksTheS3Rules() {
        // when / then: too short, too long, bad first or last character, '..', an IP address, '/', upper case
        for (final String bucket : new String[] {"ab", "a".repeat(64), "-stems", "stems-", "st..ems", "192.168.1.1",
                "stems/x", "STEMS"}) {
            assertThatThrownBy(() -> new S3StoreConfig(bucket, "", "us-east-1", null, false, null, null))
                    .as(bucket).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bucket");
        }
    }

    @Test
    void shouldNotShowTheEndpointsUserInfoWhenRefusingIt() {
        // when / then
        assertThatThrownBy(() -> new S3StoreConfig("stems", "", "us-east-1",
                URI.create("http://key:topsecret@127.0.0.1:9000"), true, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("endpoint must have no user info")
                .hasMessageNotContaining("topsecret");
    }

    @Test
    void shouldRefuseThePrefixWhenItHasAnEmptySegment() {
        // when / then
        assertThatThrownBy(() -> new S3StoreConfig("stems", "a//b", "us-east-1", null, false, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'//'");
    }
}
