package io.stemflow.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.archiver.store.S3ProxyServer;
import io.stemflow.archiver.store.S3StoreConfig;
import io.stemflow.avro.BatchManifest;
import io.stemflow.avro.StemArchived;
import io.stemflow.avro.StemReady;
import io.stemflow.schemas.TopicNames;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Issue 18's S3 run: the local stack's archiver keeps a 200-job demo batch in a bucket of a real S3 API server
 * (S3Proxy): every stem an object under its key with the job's metadata and the emulator's bytes, and the batch's
 * manifests beside them.
 */
@Tag("broker")
class ArchiveToBucketOnStackTest {

    private static final int JOBS = 200;
    private static final String BATCH = "bucket-test";
    private static final String BUCKET = "label-stems";
    private static final String PREFIX = "stemflow";

    @TempDir
    Path dataDir;

    @Test
    void shouldStoreEveryStemAsAnObjectWithItsMetadataWhenTheArchiveIsABucket() throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.start(dataDir.resolve("s3"));
             S3Client client = s3.client()) {
            client.createBucket(b -> b.bucket(BUCKET));
            final Path secret = Files.writeString(dataDir.resolve("s3-secret"), s3.credential() + "\n");
            final S3StoreConfig bucket = new S3StoreConfig(BUCKET, PREFIX, S3ProxyServer.REGION, s3.endpoint(), true,
                    S3ProxyServer.IDENTITY, secret);
            try (LocalStack stack = LocalStack.start(new LocalStackConfig(dataDir.resolve("stack"),
                    StackPorts.anyFree(), 3, false, true).withManifestGrace(Duration.ofSeconds(2))
                    .withArchiveS3(bucket))) {
                // given: a demo batch of 200 jobs, every one ended
                final StringWriter text = new StringWriter();
                final Demo.Summary summary = new Demo(stack.info().bootstrapServers(),
                        stack.info().schemaRegistryUrl(), new Demo.Settings(JOBS, BATCH, Duration.ofMinutes(10),
                        100_000, 100_000), Clock.systemUTC(), null)
                        .withRegistryAuth(stack.info().registry().auth()).run(new PrintWriter(text, true));
                assertThat(summary.allTerminal()).as(text.toString()).isTrue();
                assertThat(stack.info().services().get(LocalStack.ARCHIVE_SERVICE))
                        .isEqualTo("s3://" + BUCKET + "/" + bucket.prefix());
                final Map<String, StemReady> stems = LocalStackDemoTest.readAll(stack, TopicNames.STEMS,
                                StemReady.class).stream().filter(s -> BATCH.equals(s.getBatchId()))
                        .collect(Collectors.toMap(s -> s.getRequestId() + "/" + s.getStem(), Function.identity()));

                // when: every stem is announced archived, and the batch's manifests are written
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() ->
                        ArchiveOnStackTest.archived(stack, BATCH).size() >= stems.size());
                final List<StemArchived> archived = ArchiveOnStackTest.archived(stack, BATCH);
                final Map<String, Long> byAccount = archived.stream()
                        .collect(Collectors.groupingBy(StemArchived::getAccountId, Collectors.counting()));
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    final Map<String, BatchManifest> latest = ArchiveOnStackTest.latestManifests(stack, BATCH);
                    return latest.keySet().equals(byAccount.keySet()) && latest.values().stream()
                            .allMatch(m -> m.getStems() == byAccount.get(m.getAccountId()));
                });

                // then: one object per stem, under its key, with the job's metadata and the emulator's bytes
                assertThat(archived.stream().map(a -> a.getRequestId() + "/" + a.getStem())).doesNotHaveDuplicates()
                        .containsExactlyInAnyOrderElementsOf(stems.keySet());
                final Map<String, String> emulatorSha = new HashMap<>();
                final HttpClient http = HttpClient.newHttpClient();
                for (final StemArchived a : archived) {
                    final String stem = a.getStem().name().toLowerCase(Locale.ROOT);
                    final String objectKey = PREFIX + "/" + a.getKey();
                    assertThat(a.getKey()).startsWith(a.getAccountId() + "/" + BATCH + "/" + a.getRequestId() + "/"
                            + stem + ".");
                    assertThat(a.getLocation()).isEqualTo("s3://" + BUCKET + "/" + objectKey);
                    final var head = client.headObject(b -> b.bucket(BUCKET).key(objectKey));
                    assertThat(head.metadata()).containsEntry("request-id", a.getRequestId())
                            .containsEntry("account-id", a.getAccountId()).containsEntry("batch-id", BATCH)
                            .containsEntry("stem", stem).containsEntry("sha256", a.getSha256());
                    assertThat(head.contentLength()).isEqualTo(a.getSize());
                    final String expected = emulatorSha.computeIfAbsent(a.getStem().name(), name ->
                            ArchiveOnStackTest.sha256(download(http, stems.get(a.getRequestId() + "/" + a.getStem())
                                    .getUrl())));
                    assertThat(a.getSha256()).isEqualTo(expected);
                    assertThat(ArchiveOnStackTest.sha256(client.getObjectAsBytes(b -> b.bucket(BUCKET)
                            .key(objectKey)).asByteArray())).isEqualTo(expected);
                }

                // and: each account's manifest is an object beside its stems, listing all of them
                for (final BatchManifest m : ArchiveOnStackTest.latestManifests(stack, BATCH).values()) {
                    assertThat(m.getCsvLocation()).isEqualTo("s3://" + BUCKET + "/" + PREFIX + "/" + m.getCsvKey());
                    final String csv = client.getObjectAsBytes(b -> b.bucket(BUCKET).key(PREFIX + "/" + m.getCsvKey()))
                            .asString(StandardCharsets.UTF_8);
                    assertThat(csv.split("\r\n")).hasSize(1 + byAccount.get(m.getAccountId()).intValue());
                    assertThat(m.getFailed()).isZero();
                }
            }
        }
    }

    private static byte[] download(final HttpClient http, final String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray())
                    .body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
