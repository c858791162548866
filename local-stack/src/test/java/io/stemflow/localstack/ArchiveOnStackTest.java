package io.stemflow.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18 on the whole local stack: the archiver it runs copies every stem of a 200-job demo batch into
 * {@code <data dir>/archive}, once, byte for byte the emulator's file, and writes the batch's manifest listing
 * every one of them.
 */
@Tag("broker")
class ArchiveOnStackTest {

    private static final int JOBS = 200;
    private static final String BATCH = "archive-test";

    @TempDir
    Path dataDir;

    @Test
    void shouldArchiveEveryStemOnceWithTheEmulatorsBytesWhenADemoBatchCompletes() throws Exception {
        try (LocalStack stack = LocalStack.start(new LocalStackConfig(dataDir, StackPorts.anyFree(), 3, false, true)
                .withManifestGrace(Duration.ofSeconds(2)))) {
            // given: a demo batch of 200 jobs, every one ended
            final StringWriter text = new StringWriter();
            final Demo.Summary summary = new Demo(stack.info().bootstrapServers(), stack.info().schemaRegistryUrl(),
                    new Demo.Settings(JOBS, BATCH, Duration.ofMinutes(10), 100_000, 100_000), Clock.systemUTC(), null)
                    .withRegistryAuth(stack.info().registry().auth()).run(new PrintWriter(text, true));
            assertThat(summary.allTerminal()).as(text.toString()).isTrue();
            final Map<String, StemReady> stems = LocalStackDemoTest.readAll(stack, TopicNames.STEMS, StemReady.class).stream()
                    .filter(s -> BATCH.equals(s.getBatchId()))
                    .collect(Collectors.toMap(ArchiveOnStackTest::stemId, Function.identity()));
            assertThat(stems).hasSize((int) summary.stems());

            // when: the archiver has announced as many copies as there are stems
            final Path archive = Path.of(stack.info().services().get(LocalStack.ARCHIVE_SERVICE));
            assertThat(archive).isEqualTo(dataDir.resolve("archive").toAbsolutePath());
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    archived(stack).size() >= stems.size());

            // then: one StemArchived per stem, and the copy is the emulator's file
            final List<StemArchived> archived = archived(stack);
            assertThat(archived).hasSize(stems.size());
            assertThat(archived.stream().map(a -> a.getRequestId() + "/" + a.getStem()))
                    .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(stems.keySet());
            final HttpClient http = HttpClient.newHttpClient();
            final Map<String, String> emulatorSha = new HashMap<>();
            for (final StemArchived a : archived) {
                final StemReady stem = stems.get(a.getRequestId() + "/" + a.getStem());
                if (!emulatorSha.containsKey(stem.getStem().name())) {
                    emulatorSha.put(stem.getStem().name(), sha256(http.send(
                            HttpRequest.newBuilder(URI.create(stem.getUrl())).build(),
                            HttpResponse.BodyHandlers.ofByteArray()).body()));
                }
                final String expected = emulatorSha.get(stem.getStem().name());
                assertThat(a.getSha256()).isEqualTo(expected);
                final Path copy = Path.of(URI.create(a.getLocation()));
                assertThat(copy).startsWith(archive).exists();
                assertThat(sha256(java.nio.file.Files.readAllBytes(copy))).isEqualTo(expected);
                assertThat(a.getBatchId()).isEqualTo(BATCH);
            }

            // and: a manifest of the batch per account (its files under {account}/{batch}), listing every
            // archived stem of that account with its location and checksum
            final Map<String, List<StemArchived>> byAccount = archived.stream()
                    .collect(Collectors.groupingBy(StemArchived::getAccountId));
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    latestManifests(stack).keySet().equals(byAccount.keySet())
                            && latestManifests(stack).entrySet().stream().allMatch(e ->
                            e.getValue().getStems() == byAccount.get(e.getKey()).size()));
            assertThat(manifests(stack).stream().map(m -> m.getAccountId() + "/" + m.getVersion()))
                    .as("each version announced once").doesNotHaveDuplicates();
            for (final BatchManifest m : latestManifests(stack).values()) {
                final List<StemArchived> listed = byAccount.get(m.getAccountId());
                assertThat(m.getArchived()).isEqualTo(listed.size());
                assertThat(m.getFailed()).isZero();
                assertThat(m.getBytes()).isEqualTo(listed.stream().mapToLong(StemArchived::getSize).sum());
                final Path csv = Path.of(URI.create(m.getCsvLocation()));
                assertThat(csv).startsWith(archive).endsWith(Path.of(BATCH, "manifest.csv"));
                assertThat(Path.of(URI.create(m.getJsonLocation()))).isRegularFile();
                final List<String> rows = List.of(java.nio.file.Files.readString(csv).split("\r\n"));
                assertThat(rows.get(0)).startsWith("requestId,audioId,track,stem,status,key,location,sha256,size");
                final Map<String, StemArchived> byStem = listed.stream().collect(Collectors.toMap(
                        a -> a.getRequestId() + "/" + a.getStem().name().toLowerCase(java.util.Locale.ROOT),
                        Function.identity()));
                assertThat(rows).hasSize(1 + listed.size());
                for (final String row : rows.subList(1, rows.size())) {
                    final String[] f = row.split(",", -1);
                    final StemArchived a = byStem.remove(f[0] + "/" + f[3]);
                    assertThat(a).as(row).isNotNull();
                    assertThat(f[1]).isEqualTo(stems.get(a.getRequestId() + "/" + a.getStem()).getAudioId());
                    assertThat(f[4]).isEqualTo("archived");
                    assertThat(f[5]).isEqualTo(a.getKey());
                    assertThat(f[6]).isEqualTo(a.getLocation());
                    assertThat(f[7]).isEqualTo(a.getSha256());
                    assertThat(f[8]).isEqualTo(Long.toString(a.getSize()));
                }
                assertThat(byStem).as("stems not listed").isEmpty();
            }
        }
    }

    private static String stemId(final StemReady s) {
        return s.getRequestId() + "/" + s.getStem();
    }

    private static List<StemArchived> archived(final LocalStack stack) {
        return archived(stack, BATCH);
    }

    /** Every StemArchived of {@code batch} announced so far. */
    static List<StemArchived> archived(final LocalStack stack, final String batch) {
        return LocalStackDemoTest.readAll(stack, TopicNames.ARCHIVED, StemArchived.class).stream()
                .filter(a -> batch.equals(a.getBatchId())).toList();
    }

    private static List<BatchManifest> manifests(final LocalStack stack) {
        return manifests(stack, BATCH);
    }

    static List<BatchManifest> manifests(final LocalStack stack, final String batch) {
        return LocalStackDemoTest.readAll(stack, TopicNames.MANIFESTS, BatchManifest.class).stream()
                .filter(m -> batch.equals(m.getBatchId())).toList();
    }

    private static Map<String, BatchManifest> latestManifests(final LocalStack stack) {
        return latestManifests(stack, BATCH);
    }

    /** The latest manifest of {@code batch} of each account. */
    static Map<String, BatchManifest> latestManifests(final LocalStack stack, final String batch) {
        return manifests(stack, batch).stream().collect(Collectors.toMap(BatchManifest::getAccountId, Function.identity(),
                (x, y) -> x.getVersion() >= y.getVersion() ? x : y));
    }

    static String sha256(final byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
