package io.stemflow.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.avro.BatchManifest;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.avro.StemArchived;
import io.stemflow.avro.StemReady;
import io.stemflow.emulator.EmulatorControl;
import io.stemflow.emulator.LinkExpiry;
import io.stemflow.schemas.TopicNames;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18's "before expiry" on the whole local stack: the emulator expires the links of a share of its tasks at
 * once, and deletes a share of those tasks. The archiver gets the stems of the first through fresh links (record-info
 * through the gateway, within its rate limit) and reports each stem of the gone tasks as ARCHIVE_FAILED and as failed
 * in the batch's manifest: every stem of the batch is accounted for, none silently missing.
 */
@Tag("broker")
class ArchiveLinkExpiryOnStackTest {

    private static final int JOBS = 80;
    private static final String BATCH = "expiry-test";

    @TempDir
    Path dataDir;

    @Test
    void shouldFetchDeadLinksAgainThroughRecordInfoAndReportGoneTasksWhenLinksExpireEarly() throws Exception {
        try (LocalStack stack = LocalStack.start(new LocalStackConfig(dataDir, StackPorts.anyFree(), 3, false, true)
                .withManifestGrace(Duration.ofSeconds(2)))) {
            // given: a quarter of the tasks have dead links from the start, a third of those are gone
            final EmulatorControl emulator = stack.emulator().orElseThrow().control();
            emulator.setLinkExpiry(new LinkExpiry(0.25, Duration.ZERO, 0.34));
            final StringWriter text = new StringWriter();
            final Demo.Summary summary = new Demo(stack.info().bootstrapServers(), stack.info().schemaRegistryUrl(),
                    new Demo.Settings(JOBS, BATCH, Duration.ofMinutes(10), 100_000, 100_000), Clock.systemUTC(), null)
                    .withRegistryAuth(stack.info().registry().auth()).run(new PrintWriter(text, true));
            assertThat(summary.allTerminal()).as(text.toString()).isTrue();
            final Map<String, StemReady> stems = LocalStackDemoTest.readAll(stack, TopicNames.STEMS, StemReady.class)
                    .stream().filter(s -> BATCH.equals(s.getBatchId()))
                    .collect(Collectors.toMap(ArchiveLinkExpiryOnStackTest::stemId, Function.identity()));
            final Set<String> early = emulator.earlyExpiringTaskIds();
            final Set<String> gone = emulator.goneTaskIds();
            assertThat(stems.values()).anyMatch(s -> gone.contains(s.getProviderTaskId()));
            assertThat(stems.values()).anyMatch(s -> early.contains(s.getProviderTaskId())
                    && !gone.contains(s.getProviderTaskId()));

            // when: every stem is archived or dead-lettered
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    ArchiveOnStackTest.archived(stack, BATCH).size() + archiveFailed(stack).size() >= stems.size());

            // then: each stem exactly once, archived unless its task is gone
            final List<StemArchived> archived = ArchiveOnStackTest.archived(stack, BATCH);
            final List<DeadLetter> failed = archiveFailed(stack);
            assertThat(archived.stream().map(a -> a.getRequestId() + "/" + a.getStem())).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(stems.values().stream()
                            .filter(s -> !gone.contains(s.getProviderTaskId())).map(ArchiveLinkExpiryOnStackTest::stemId)
                            .toList());
            assertThat(failed).extracting(DeadLetter::getRequestId).containsExactlyInAnyOrderElementsOf(
                    stems.values().stream().filter(s -> gone.contains(s.getProviderTaskId()))
                            .map(StemReady::getRequestId).toList());
            assertThat(failed).allSatisfy(d -> assertThat(d.getReason()).contains("no longer has task"));

            // and: the copies of stems whose links were dead are the emulator's files, fetched through fresh links
            final Map<String, String> expected = emulatorChecksums(stems.values(), early);
            for (final StemArchived a : archived) {
                assertThat(a.getSha256()).isEqualTo(expected.get(a.getStem().name()));
                assertThat(ArchiveOnStackTest.sha256(Files.readAllBytes(Path.of(URI.create(a.getLocation())))))
                        .isEqualTo(a.getSha256());
            }
            // and: each account's manifest of the batch lists its gone stems as failed, with the reason
            final Map<String, Long> stemsByAccount = stems.values().stream()
                    .collect(Collectors.groupingBy(StemReady::getAccountId, Collectors.counting()));
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                final Map<String, BatchManifest> latest = ArchiveOnStackTest.latestManifests(stack, BATCH);
                return latest.keySet().equals(stemsByAccount.keySet()) && latest.values().stream()
                        .allMatch(m -> m.getStems() == stemsByAccount.get(m.getAccountId()));
            });
            final List<String> failedRows = new java.util.ArrayList<>();
            for (final BatchManifest m : ArchiveOnStackTest.latestManifests(stack, BATCH).values()) {
                assertThat(m.getFailed()).isEqualTo(stems.values().stream().filter(s -> s.getAccountId()
                        .equals(m.getAccountId()) && gone.contains(s.getProviderTaskId())).count());
                for (final String row : Files.readString(Path.of(URI.create(m.getCsvLocation()))).split("\r\n")) {
                    if (row.contains(",failed,")) {
                        assertThat(row).contains("no longer has task");
                        failedRows.add(row.substring(0, row.indexOf(',')));
                    }
                }
            }
            assertThat(failedRows).containsExactlyInAnyOrderElementsOf(stems.values().stream()
                    .filter(s -> gone.contains(s.getProviderTaskId())).map(StemReady::getRequestId).toList());

            final long refreshedJobs = stems.values().stream().map(StemReady::getProviderTaskId).distinct()
                    .filter(t -> early.contains(t) && !gone.contains(t)).count();
            assertThat(emulator.counters().linksRefreshed()).isGreaterThanOrEqualTo(refreshedJobs);
            assertThat(emulator.counters().recordInfoGone()).isGreaterThanOrEqualTo(
                    stems.values().stream().map(StemReady::getProviderTaskId).distinct().filter(gone::contains).count());
        }
    }

    /** The emulator's file of each stem type, as a link that was never expired serves it. */
    private static Map<String, String> emulatorChecksums(final java.util.Collection<StemReady> stems,
                                                        final Set<String> early) throws Exception {
        final HttpClient http = HttpClient.newHttpClient();
        final Map<String, String> sha = new java.util.HashMap<>();
        for (final StemReady s : stems) {
            if (!early.contains(s.getProviderTaskId()) && !sha.containsKey(s.getStem().name())) {
                final HttpResponse<byte[]> file = http.send(HttpRequest.newBuilder(URI.create(s.getUrl())).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(file.statusCode()).isEqualTo(200);
                sha.put(s.getStem().name(), ArchiveOnStackTest.sha256(file.body()));
            }
        }
        return sha;
    }

    private static String stemId(final StemReady s) {
        return s.getRequestId() + "/" + s.getStem();
    }

    private static List<DeadLetter> archiveFailed(final LocalStack stack) {
        return LocalStackDemoTest.readAll(stack, TopicNames.DLQ, DeadLetter.class).stream()
                .filter(d -> d.getKind() == DeadLetterKind.ARCHIVE_FAILED && BATCH.equals(d.getBatchId())).toList();
    }
}
