package io.stemflow.archiver.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.archiver.ArchiveKey;
import io.stemflow.emulator.Stem;
import io.stemflow.emulator.audio.StemAudio;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@link S3Store} against a real S3 API server ({@link S3ProxyServer}, one for the class): what is put is found with
 * all its metadata and read back byte for byte, keys made by {@link ArchiveKey} survive the trip, a put replaces,
 * foreign objects count as absent, and failures name the bucket but never the secret.
 */
@Tag("broker") // starts a child process
class S3StoreTest {

    private static final String BUCKET = "stemflow-archive";
    private static final String SHA256_OF_NOTHING = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final AtomicInteger TESTS = new AtomicInteger();

    @TempDir
    static Path serverDir;
    private static S3ProxyServer server;
    private static S3Client plain;

    @TempDir
    Path dir;
    private String prefix;
    private S3Store store;

    @BeforeAll
    static void startServer() throws IOException {
        server = S3ProxyServer.start(serverDir);
        plain = server.client();
        plain.createBucket(b -> b.bucket(BUCKET));
    }

    @AfterAll
    static void stopServer() {
        if (plain != null) {
            plain.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void openStore() throws IOException {
        // a prefix of its own for each test, so no test sees another's objects
        prefix = "archive/test-" + TESTS.incrementAndGet();
        store = S3Store.create(config(prefix, secretFile(server.credential())));
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void shouldFindEveryMetadataFieldWhenAStemOfABatchWasPut() throws IOException {
        // given
        final String key = ArchiveKey.of("acct-1", "batch-7", "req-1", "vocal", "wav");
        final Path file = stemFile(Stem.VOCAL);
        final StemMetadata metadata = metadata(file, "req-1", "acct-1", "batch-7", "vocal");

        // when
        final StoredObject put = store.put(key, file, metadata);
        final Optional<StoredObject> found = store.find(key);

        // then
        assertThat(put).isEqualTo(new StoredObject(key, store.location(key), metadata));
        assertThat(found).contains(put);
        assertThat(found.get().holds(metadata.sha256(), Files.size(file))).isTrue();
    }

    @Test
    void shouldFindANullBatchAndSendNoBatchHeaderWhenTheJobHasNoBatch() throws IOException {
        // given
        final String key = ArchiveKey.of("acct-1", null, "req-2", "drums", "wav");
        final Path file = stemFile(Stem.DRUMS);
        final StemMetadata metadata = metadata(file, "req-2", "acct-1", null, "drums");

        // when
        store.put(key, file, metadata);
        final Optional<StoredObject> found = store.find(key);

        // then
        assertThat(found).map(StoredObject::metadata).contains(metadata);
        assertThat(found.get().metadata().batchId()).isNull();
        assertThat(plainHead(key).metadata()).doesNotContainKey("batch-id");
    }

    @Test
    void shouldRoundTripIdsThatAreNotPlainAsciiWhenTheyAreMetadata() throws IOException {
        // given: ids from other teams' producers may hold anything, including what a header cannot
        final Path file = stemFile(Stem.BASS);
        final StemMetadata metadata = metadata(file, " req 3 / Stück %41 ", "", "batch\tß", "bass");
        final String key = ArchiveKey.of("", "batch\tß", " req 3 / Stück %41 ", "bass", "wav");

        // when
        store.put(key, file, metadata);

        // then
        assertThat(store.find(key)).map(StoredObject::metadata).contains(metadata);
    }

    @Test
    void shouldCopyTheSameBytesBackWhenAStemWasPut() throws IOException {
        // given
        final String key = ArchiveKey.of("acct-1", "batch-7", "req-4", "guitar", "wav");
        final Path file = stemFile(Stem.GUITAR);
        final StemMetadata metadata = metadata(file, "req-4", "acct-1", "batch-7", "guitar");
        store.put(key, file, metadata);
        final Path target = dir.resolve("out").resolve("guitar.wav");
        Files.createDirectories(target.getParent());
        Files.writeString(target, "an older copy, to be replaced");

        // when
        store.copyTo(key, target);

        // then
        assertThat(Files.readAllBytes(target)).isEqualTo(Files.readAllBytes(file));
        assertThat(sha256(Files.readAllBytes(target))).isEqualTo(metadata.sha256());
        try (var files = Files.list(target.getParent())) {
            assertThat(files.toList()).as("no temporary file left").containsExactly(target);
        }
    }

    @Test
    void shouldStoreAnEmptyFileWhenAStemHasNoBytes() throws IOException {
        // given
        final String key = ArchiveKey.of("acct-1", "batch-7", "req-5", "fx", "wav");
        final Path file = Files.createFile(dir.resolve("empty.wav"));
        final StemMetadata metadata = new StemMetadata("req-5", "acct-1", "batch-7", "fx", SHA256_OF_NOTHING, 0,
                "audio/wav");

        // when
        store.put(key, file, metadata);
        store.copyTo(key, dir.resolve("empty-copy.wav"));

        // then
        assertThat(store.find(key)).map(StoredObject::metadata).contains(metadata);
        assertThat(Files.size(dir.resolve("empty-copy.wav"))).isZero();
    }

    @Test
    void shouldFindNothingWhenTheKeyWasNeverPut() throws IOException {
        // given
        final String key = ArchiveKey.of("acct-1", "batch-7", "never", "vocal", "wav");

        // when
        final Optional<StoredObject> found = store.find(key);

        // then
        assertThat(found).isEmpty();
        assertThatThrownBy(() -> store.copyTo(key, dir.resolve("never.wav"))).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(BUCKET).hasMessageContaining(key);
        assertThat(dir.resolve("never.wav")).doesNotExist();
        assertThatThrownBy(() -> store.open(key).close()).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(BUCKET).hasMessageContaining(key);
    }

    @Test
    void shouldStreamTheStoredBytesWhenAStemIsOpened() throws IOException {
        // given
        final String key = ArchiveKey.of("acct-1", "batch-7", "req-9", "bass", "wav");
        final Path file = stemFile(Stem.BASS);
        store.put(key, file, metadata(file, "req-9", "acct-1", "batch-7", "bass"));

        // when
        final byte[] read;
        try (java.io.InputStream in = store.open(key)) {
            read = in.readAllBytes();
        }

        // then
        assertThat(read).isEqualTo(Files.readAllBytes(file));
    }

    @Test
    void shouldReplaceTheObjectWhenAStemIsPutAgainUnderTheSameKey() throws IOException {
        // given
        final String key = ArchiveKey.of("acct-1", "batch-7", "req-6", "vocal", "wav");
        final Path first = stemFile(Stem.VOCAL);
        store.put(key, first, metadata(first, "req-6", "acct-1", "batch-7", "vocal"));
        final Path second = stemFile(Stem.STRINGS);
        final StemMetadata secondMetadata = metadata(second, "req-6b", "acct-2", null, "vocal");

        // when
        store.put(key, second, secondMetadata);

        // then
        assertThat(store.find(key)).map(StoredObject::metadata).contains(secondMetadata);
        store.copyTo(key, dir.resolve("replaced.wav"));
        assertThat(Files.readAllBytes(dir.resolve("replaced.wav"))).isEqualTo(Files.readAllBytes(second));
    }

    @Test
    void shouldRoundTripKeysWithPercentAndDotSegmentsWhenArchiveKeyMadeThem() throws IOException {
        // given: keys as ArchiveKey makes them from awkward ids (%XX escapes, %unbatched, dots inside segments)
        final List<String> keys = List.of(
                ArchiveKey.of("acct 1", null, "req/1", "vocal", "wav"),
                ArchiveKey.of(".hidden", "..", "100%", "drums", "WAV"),
                ArchiveKey.of("a.b", "v1.2.3", "%2F", "bass", "wav"));
        final Path file = stemFile(Stem.KEYBOARD);
        final StemMetadata metadata = metadata(file, "req/1", "acct 1", null, "vocal");

        // when
        for (final String key : keys) {
            store.put(key, file, metadata);
        }

        // then
        for (final String key : keys) {
            assertThat(store.find(key)).as(key).map(StoredObject::key).contains(key);
            final Path copy = dir.resolve("copy.wav");
            store.copyTo(key, copy);
            assertThat(Files.readAllBytes(copy)).as(key).isEqualTo(Files.readAllBytes(file));
        }
        final List<String> listed = plain.listObjectsV2(b -> b.bucket(BUCKET).prefix(prefix + "/")).contents()
                .stream().map(S3Object::key).toList();
        assertThat(listed).as("the keys as the store sees them: not decoded, not re-encoded")
                .containsExactlyInAnyOrderElementsOf(keys.stream().map(k -> prefix + "/" + k).toList());
    }

    @Test
    void shouldNameBucketAndPrefixedKeyWhenAskedForALocation() {
        // given
        final String key = ArchiveKey.of("acct 1", null, "req-7", "vocal", "wav");

        // when
        final URI location = store.location(key);

        // then
        assertThat(location.getScheme()).isEqualTo("s3");
        assertThat(location.getHost()).isEqualTo(BUCKET);
        assertThat(location.getPath()).isEqualTo("/" + prefix + "/" + key);
        assertThat(location.toString())
                .isEqualTo("s3://" + BUCKET + "/" + prefix + "/acct%25201/%25unbatched/req-7/vocal.wav");
    }

    @Test
    void shouldFailNamingTheBucketButNotTheSecretWhenTheSecretIsWrong() throws IOException {
        // given
        final String wrong = "wrong-secret-" + System.nanoTime();
        final String key = ArchiveKey.of("acct-1", "batch-7", "req-8", "vocal", "wav");
        final Path file = stemFile(Stem.VOCAL);
        final StemMetadata metadata = metadata(file, "req-8", "acct-1", "batch-7", "vocal");

        // when
        try (S3Store wrongStore = S3Store.create(config(prefix, secretFile(wrong)))) {

            // then
            for (final ThrowingCall call : List.<ThrowingCall>of(() -> wrongStore.put(key, file, metadata),
                    () -> wrongStore.find(key), () -> wrongStore.copyTo(key, dir.resolve("x.wav")))) {
                assertThatThrownBy(call::run).isInstanceOf(IOException.class).hasMessageContaining(BUCKET)
                        .hasMessageContaining(key).hasMessageContaining("403")
                        .satisfies(e -> assertThat(fullText(e)).doesNotContain(wrong)
                                .doesNotContain(server.credential()));
            }
        }
        assertThat(store.find(key)).isEmpty();
    }

    @Test
    void shouldCarryContentTypeAndChecksumHeaderWhenAPlainClientLooksAtTheObject() throws IOException {
        // given
        final String key = ArchiveKey.of("acct-1", "batch-7", "req-9", "synth", "wav");
        final Path file = stemFile(Stem.SYNTH);
        final StemMetadata metadata = metadata(file, "req-9", "acct-1", "batch-7", "synth");

        // when
        store.put(key, file, metadata);

        // then
        final HeadObjectResponse head = plainHead(key);
        assertThat(head.contentType()).isEqualTo("audio/wav");
        assertThat(head.contentLength()).isEqualTo(Files.size(file));
        assertThat(head.metadata()).containsEntry("sha256", metadata.sha256()).containsEntry("request-id", "req-9")
                .containsEntry("account-id", "acct-1").containsEntry("batch-id", "batch-7")
                .containsEntry("stem", "synth").containsEntry("size", Long.toString(Files.size(file)));
    }

    @Test
    void shouldFindNothingThenReplaceItWhenAnObjectWasNotWrittenByStemflow() throws IOException {
        // given: an object at the key, put by someone else without our metadata
        final String key = ArchiveKey.of("acct-1", "batch-7", "req-10", "vocal", "wav");
        plain.putObject(b -> b.bucket(BUCKET).key(prefix + "/" + key).contentType("audio/wav"),
                RequestBody.fromString("not a stem", StandardCharsets.UTF_8));
        final Path file = stemFile(Stem.VOCAL);
        final StemMetadata metadata = metadata(file, "req-10", "acct-1", "batch-7", "vocal");

        // when
        final Optional<StoredObject> before = store.find(key);
        store.put(key, file, metadata);

        // then
        assertThat(before).isEmpty();
        assertThat(store.find(key)).map(StoredObject::metadata).contains(metadata);
    }

    @Test
    void shouldRefuseToPutWhenTheFileIsNotWhatItsMetadataSays() throws IOException {
        // given
        final String key = ArchiveKey.of("acct-1", "batch-7", "req-11", "vocal", "wav");
        final Path file = stemFile(Stem.VOCAL);
        final StemMetadata other = metadata(stemFile(Stem.DRUMS), "req-11", "acct-1", "batch-7", "vocal");

        // when / then
        assertThatThrownBy(() -> store.put(key, file, other)).isInstanceOf(IOException.class)
                .hasMessageContaining(BUCKET).hasMessageContaining(key).hasMessageContaining(other.sha256());
        assertThat(store.find(key)).isEmpty();
    }

    @Test
    void shouldBeRefusedByTheServerWhenTheBytesDoNotMatchTheirContentMd5() {
        // given: what put relies on to never store bytes that changed on the way: the server checks Content-MD5
        final String objectKey = prefix + "/" + ArchiveKey.of("acct-1", "batch-7", "req-12", "vocal", "wav");
        final String md5OfOtherBytes = "XrY7u+Ae7tCTyyK7j1rNww=="; // MD5 of "hello world"

        // when / then
        assertThatThrownBy(() -> plain.putObject(b -> b.bucket(BUCKET).key(objectKey).contentMD5(md5OfOtherBytes),
                RequestBody.fromString("not hello world", StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(400));
        assertThatThrownBy(() -> plain.headObject(b -> b.bucket(BUCKET).key(objectKey)))
                .isInstanceOf(NoSuchKeyException.class);
    }

    private S3StoreConfig config(final String storePrefix, final Path secretFile) {
        return new S3StoreConfig(BUCKET, storePrefix, S3ProxyServer.REGION, server.endpoint(), true,
                S3ProxyServer.IDENTITY, secretFile);
    }

    private Path secretFile(final String secret) throws IOException {
        final Path file = Files.createTempFile(dir, "s3-secret", ".txt");
        Files.writeString(file, "# the S3Proxy test identity's secret\n" + secret + "\n");
        return file;
    }

    private HeadObjectResponse plainHead(final String key) {
        return plain.headObject(b -> b.bucket(BUCKET).key(prefix + "/" + key));
    }

    private Path stemFile(final Stem stem) throws IOException {
        return Files.write(Files.createTempFile(dir, stem.wireName(), ".wav"), new StemAudio().wav(stem));
    }

    private static StemMetadata metadata(final Path file, final String requestId, final String accountId,
                                         final String batchId, final String stem) throws IOException {
        final byte[] bytes = Files.readAllBytes(file);
        return new StemMetadata(requestId, accountId, batchId, stem, sha256(bytes), bytes.length, "audio/wav");
    }

    private static String sha256(final byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The class and message of {@code e} and of each of its causes. */
    private static String fullText(final Throwable e) {
        final StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            text.append(t).append('\n');
        }
        return text.toString();
    }

    @FunctionalInterface
    private interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void shouldStoreAPayloadWithItsContentTypeAndNoStemMetadataWhenBytesArePut() throws IOException {
        // given
        final String key = ArchiveKey.batchPrefix("acct-1", "batch 7") + "manifest.csv";
        final byte[] csv = "requestId,stem\r\nreq-1,vocals\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        // when
        final java.net.URI location = store.putBytes(key, csv, "text/csv; charset=utf-8");

        // then
        assertThat(location).isEqualTo(store.location(key));
        final HeadObjectResponse head = plainHead(key);
        assertThat(head.contentType()).startsWith("text/csv");
        assertThat(head.contentLength()).isEqualTo(csv.length);
        assertThat(plain.getObjectAsBytes(b -> b.bucket(BUCKET).key(prefix + "/" + key)).asByteArray()).isEqualTo(csv);
        assertThat(store.find(key)).as("not a stem").isEmpty();
    }
}
