package io.stemflow.archiver.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class S3UserMetadataTest {

    private static final String SHA = "a".repeat(64);

    @Test
    void shouldReadBackEveryFieldWhenIdsHoldWhatAHeaderCannot() {
        // given
        final StemMetadata metadata = new StemMetadata(" réq 1 ", "", "%41\t\n", "vocal", SHA, 12, "audio/wav");

        // when
        final Map<String, String> headers = S3UserMetadata.of(metadata);

        // then
        assertThat(headers.values()).allSatisfy(v -> assertThat(v).isNotEmpty().matches("[!-~]+"));
        assertThat(S3UserMetadata.read(headers, "audio/wav", 12)).contains(metadata);
    }

    @Test
    void shouldReadANullBatchWhenTheBatchKeyIsAbsent() {
        // given
        final StemMetadata metadata = new StemMetadata("r", "a", null, "drums", SHA, 0, "audio/wav");

        // when
        final Map<String, String> headers = S3UserMetadata.of(metadata);

        // then
        assertThat(headers).doesNotContainKey(S3UserMetadata.BATCH_ID);
        assertThat(S3UserMetadata.read(headers, "audio/wav", 0)).contains(metadata);
    }

    @Test
    void shouldMatchKeysIgnoringCaseWhenAStoreChangedIt() {
        // given
        final Map<String, String> headers = new HashMap<>();
        S3UserMetadata.of(new StemMetadata("r", "a", "b", "bass", SHA, 3, "audio/wav"))
                .forEach((k, v) -> headers.put(k.toUpperCase(), v));

        // when / then
        assertThat(S3UserMetadata.read(headers, "audio/wav", 3)).isPresent();
    }

    @Test
    void shouldReadNothingWhenTheMetadataIsMissingOrGarbled() {
        // given
        final Map<String, String> good = S3UserMetadata.of(new StemMetadata("r", "a", "b", "bass", SHA, 3, "x/y"));

        // then
        assertThat(S3UserMetadata.read(Map.of(), "x/y", 3)).as("none").isEmpty();
        assertThat(S3UserMetadata.read(good, "x/y", 4)).as("size is not the object's length").isEmpty();
        assertThat(S3UserMetadata.read(good, null, 3)).as("no content type").isEmpty();
        assertThat(S3UserMetadata.read(with(good, "sha256", "XYZ"), "x/y", 3)).as("checksum").isEmpty();
        assertThat(S3UserMetadata.read(with(good, "size", "-3"), "x/y", -3)).as("negative size").isEmpty();
        assertThat(S3UserMetadata.read(with(good, "size", "99999999999999999999"), "x/y", 3)).as("huge").isEmpty();
        assertThat(S3UserMetadata.read(with(good, "request-id", "%4"), "x/y", 3)).as("cut escape").isEmpty();
        assertThat(S3UserMetadata.read(with(good, "request-id", "%C3%28"), "x/y", 3)).as("not UTF-8").isEmpty();
        assertThat(S3UserMetadata.read(with(good, "stem", "a b"), "x/y", 3)).as("raw space").isEmpty();
    }

    private static Map<String, String> with(final Map<String, String> headers, final String key, final String value) {
        final Map<String, String> copy = new HashMap<>(headers);
        copy.put(key, value);
        return copy;
    }
}
