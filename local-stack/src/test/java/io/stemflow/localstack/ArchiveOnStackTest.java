package io.stemflow.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
 * {@code <data dir>/archive}, once, byte for byte the emulator's file.
 */
@Tag("broker")
class ArchiveOnStackTest {

    private static final int JOBS = 200;
    private static final String BATCH = "archive-test";

    @TempDir
    Path dataDir;

    @Test
    void shouldArchiveEveryStemOnceWithTheEmulatorsBytesWhenADemoBatchCompletes() throws Exception {
        try (LocalStack stack = LocalStack.start(new LocalStackConfig(dataDir, StackPorts.anyFree(), 3, false, true))) {
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
        }
    }

    private static String stemId(final StemReady s) {
        return s.getRequestId() + "/" + s.getStem();
    }

    private static List<StemArchived> archived(final LocalStack stack) {
        return LocalStackDemoTest.readAll(stack, TopicNames.ARCHIVED, StemArchived.class).stream()
                .filter(a -> BATCH.equals(a.getBatchId())).toList();
    }

    private static String sha256(final byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
