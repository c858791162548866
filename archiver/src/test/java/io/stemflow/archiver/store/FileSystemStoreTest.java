package io.stemflow.archiver.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.archiver.ArchiveKey;
import io.stemflow.emulator.Stem;
import io.stemflow.emulator.audio.StemAudio;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemStoreTest {

    @TempDir
    Path dir;

    private Path stemFile(final Stem stem) throws Exception {
        return Files.write(dir.resolve(stem.wireName() + ".download"), new StemAudio().wav(stem));
    }

    private static StemMetadata metadataOf(final Path file, final String batch) throws Exception {
        final byte[] bytes = Files.readAllBytes(file);
        return new StemMetadata("req-1", "acct", batch, "vocals",
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), bytes.length, "audio/wav");
    }

    @Test
    void shouldFindTheStemWithItsMetadataWhenItWasPut() throws Exception {
        // given
        final FileSystemStore store = new FileSystemStore(dir.resolve("archive"));
        final Path file = stemFile(Stem.VOCAL);
        final StemMetadata metadata = metadataOf(file, "fall");
        final String key = ArchiveKey.of("acct", "fall", "req-1", "vocals", "wav");

        // when
        final StoredObject put = store.put(key, file, metadata);
        final byte[] expected = new StemAudio().wav(Stem.VOCAL);

        // then
        assertThat(store.find(key)).contains(put);
        assertThat(put.metadata()).isEqualTo(metadata);
        assertThat(put.location()).isEqualTo(store.root().resolve("acct/fall/req-1/vocals.wav").toUri());
        assertThat(Path.of(put.location())).hasBinaryContent(expected);
        assertThat(file).as("the download, moved into the archive (one file system)").doesNotExist();
    }

    @Test
    void shouldKeepANullBatchWhenTheJobHasNone() throws Exception {
        // given
        final FileSystemStore store = new FileSystemStore(dir.resolve("archive"));
        final Path file = stemFile(Stem.DRUMS);
        final String key = ArchiveKey.of("acct", null, "req-1", "drums", "wav");

        // when
        store.put(key, file, metadataOf(file, null));

        // then
        assertThat(store.find(key)).get().extracting(o -> o.metadata().batchId()).isNull();
    }

    @Test
    void shouldFindNothingWhenNothingWasPut() throws Exception {
        // when / then
        assertThat(new FileSystemStore(dir.resolve("archive")).find("acct/b/r/vocals.wav")).isEmpty();
    }

    @Test
    void shouldNotTrustAStemWhenItsMetadataIsMissingOrNamesOtherBytes() throws Exception {
        // given: as a process that died between the two moves, or while replacing a stem, leaves them
        final FileSystemStore store = new FileSystemStore(dir.resolve("archive"));
        final Path file = stemFile(Stem.BASS);
        final String key = "acct/b/r/bass.wav";
        store.put(key, file, metadataOf(file, "b"));
        final Path object = Path.of(store.location(key));
        final Path metadata = object.resolveSibling("bass.wav.json");

        // when: other bytes under the old metadata
        Files.write(object, new byte[] {1, 2, 3});

        // then
        assertThat(store.find(key)).isEmpty();

        // when: no metadata at all
        store.put(key, stemFile(Stem.BASS), metadataOf(file, "b"));
        Files.delete(metadata);

        // then
        assertThat(store.find(key)).isEmpty();

        // when: metadata that is not JSON of a stem
        Files.writeString(metadata, "{\"requestId\": 7");

        // then
        assertThat(store.find(key)).isEmpty();
    }

    @Test
    void shouldReplaceTheStemWhenItIsPutAgain() throws Exception {
        // given
        final FileSystemStore store = new FileSystemStore(dir.resolve("archive"));
        final String key = "acct/b/r/vocals.wav";
        final Path first = stemFile(Stem.GUITAR);
        final Path second = stemFile(Stem.VOCAL);
        final StemMetadata secondMetadata = metadataOf(second, "b");
        store.put(key, first, metadataOf(first, "b"));

        // when
        store.put(key, second, secondMetadata);

        // then
        assertThat(store.find(key)).get().extracting(StoredObject::metadata).isEqualTo(secondMetadata);
        final Path copy = dir.resolve("copy.wav");
        store.copyTo(key, copy);
        assertThat(copy).hasBinaryContent(new StemAudio().wav(Stem.VOCAL));
        try (Stream<Path> left = Files.list(Path.of(store.location(key)).getParent())) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("vocals.wav", "vocals.wav.json");
        }
    }

    @Test
    void shouldRefuseAKeyWhenItLeavesTheRoot() throws Exception {
        // given
        final FileSystemStore store = new FileSystemStore(dir.resolve("archive"));
        final Path file = stemFile(Stem.VOCAL);

        // when / then
        assertThatThrownBy(() -> store.put("../outside.wav", file, metadataOf(file, null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an archive key");
        assertThatThrownBy(() -> store.find("a/../../outside.wav")).isInstanceOf(IllegalArgumentException.class);
        assertThat(dir.resolve("outside.wav")).doesNotExist();
    }

    @Test
    void shouldReplaceAPayloadWholeAndLeaveNoTemporaryFileWhenBytesArePutTwice() throws Exception {
        // given
        final FileSystemStore store = new FileSystemStore(dir.resolve("archive"));
        final String key = ArchiveKey.batchPrefix("acct", "fall") + "manifest.json";
        store.putBytes(key, "{\"version\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json");

        // when
        final java.net.URI location = store.putBytes(key,
                "{\"version\":2}".getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json");

        // then
        assertThat(location).isEqualTo(store.root().resolve("acct/fall/manifest.json").toUri());
        assertThat(Path.of(location)).hasContent("{\"version\":2}");
        try (Stream<Path> files = Files.list(store.root().resolve("acct/fall"))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("manifest.json");
        }
    }

    @Test
    void shouldFailAndKeepTheOldPayloadWhenItsPlaceCannotBeTaken() throws Exception {
        // given: a folder where the payload should go
        final FileSystemStore store = new FileSystemStore(dir.resolve("archive"));
        Files.createDirectories(store.root().resolve("acct/fall/manifest.csv/in-the-way"));

        // when / then
        assertThatThrownBy(() -> store.putBytes("acct/fall/manifest.csv", new byte[] {1}, "text/csv"))
                .isInstanceOf(java.io.IOException.class);
        try (Stream<Path> files = Files.list(store.root().resolve("acct/fall"))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("manifest.csv");
        }
        assertThatThrownBy(() -> store.putBytes("../outside.csv", new byte[] {1}, "text/csv"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
