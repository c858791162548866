package io.stemflow.archiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.archiver.store.FileSystemStore;
import io.stemflow.avro.BatchManifest;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.JobState;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemArchived;
import io.stemflow.avro.StemReady;
import io.stemflow.kafka.JsonSerde;
import io.stemflow.schemas.Topic;
import io.stemflow.schemas.TopicNames;
import io.stemflow.schemas.Topics;
import io.stemflow.serde.registry.InMemorySchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The announcer's batch path ({@link BatchManifests}) on a TopologyTestDriver, writing into a real folder store. */
class BatchManifestsTest {

    private static final Duration GRACE = Duration.ofSeconds(2);
    /** Longer than the grace plus one punctuation interval: a complete batch is written within it. */
    private static final Duration PAST_GRACE = GRACE.plus(BatchManifests.punctuationInterval(GRACE))
            .plusMillis(1);
    private static final String OUTCOMES = "test-outcomes";
    private static final String ACCOUNT = "label-a";
    private static final String BATCH = "fall-catalogue";

    @TempDir
    Path dir;

    private FileSystemStore store;
    private TopologyTestDriver driver;
    private TestInputTopic<String, JobStatus> status;
    private TestInputTopic<String, StemReady> stems;
    private TestInputTopic<String, ArchiveOutcome> outcomes;
    private TestOutputTopic<String, BatchManifest> manifests;
    private TestOutputTopic<String, StemArchived> archived;
    private TestOutputTopic<String, DeadLetter> deadLetters;

    static Topology topology(final Topics t, final FileSystemStore store) {
        return AnnounceTopology.build(new AnnounceTopology.Topics(OUTCOMES, t.archived(), t.deadLetters(), t.stems(),
                t.status(), t.manifests()), new BatchManifests.Settings(store, GRACE, 3));
    }

    @BeforeEach
    void start() throws Exception {
        store = new FileSystemStore(dir.resolve("archive"));
        final Topics t = Topics.create(new InMemorySchemaRegistryClient(), Map.of());
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "archiver-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(topology(t, store), props, Instant.parse("2026-12-06T12:00:00Z"));
        status = input(t.status());
        stems = input(t.stems());
        outcomes = driver.createInputTopic(OUTCOMES, Serdes.String().serializer(),
                JsonSerde.of(ArchiveOutcome.class).serializer());
        manifests = output(t.manifests());
        archived = output(t.archived());
        deadLetters = output(t.deadLetters());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private <V> TestInputTopic<String, V> input(final Topic<String, V> topic) {
        return driver.createInputTopic(topic.name(), Serdes.String().serializer(), topic.valueSerde().serializer());
    }

    private <V> TestOutputTopic<String, V> output(final Topic<String, V> topic) {
        return driver.createOutputTopic(topic.name(), Serdes.String().deserializer(), topic.valueSerde().deserializer());
    }

    // ---- what the pipeline and the worker write ----

    private void jobStatus(final String requestId, final JobState state) {
        jobStatus(ACCOUNT, BATCH, requestId, state, 1);
    }

    private void jobStatus(final String account, final String batch, final String requestId, final JobState state,
                           final int attempt) {
        status.pipeInput(requestId, JobStatus.newBuilder().setRequestId(requestId).setAccountId(account)
                .setBatchId(batch).setAttempt(attempt).setState(state).setAt(Instant.now()).build());
    }

    private void stemReady(final String requestId, final Stem stem) {
        stemReady(ACCOUNT, BATCH, requestId, stem, Map.of("track", "Track " + requestId));
    }

    private void stemReady(final String account, final String batch, final String requestId, final Stem stem,
                           final Map<String, String> labels) {
        stems.pipeInput(requestId, StemReady.newBuilder()
                .setRequestId(requestId).setAccountId(account).setBatchId(batch)
                .setTaskId("task-" + requestId).setAudioId("audio-" + requestId)
                .setType(SeparationType.SEPARATE_VOCAL).setAttempt(1).setProviderTaskId("p-" + requestId)
                .setStem(stem).setUrl("https://files.example/" + requestId + "/" + stem + ".wav")
                .setExpiresAt(Instant.now().plus(Duration.ofDays(14))).setCompletedAt(Instant.now())
                .setLabels(labels).build());
    }

    private static String name(final Stem stem) {
        return stem.name().toLowerCase(Locale.ROOT);
    }

    static String sha256Of(final String requestId, final Stem stem) {
        return HexFormat.of().formatHex((requestId + "/" + stem + "-padding-to-32-bytes-of-digest!!")
                .substring(0, 32).getBytes(StandardCharsets.US_ASCII));
    }

    private void archivedOutcome(final String requestId, final Stem stem) {
        archivedOutcome(ACCOUNT, BATCH, requestId, stem, Map.of("track", "Track " + requestId));
    }

    private void archivedOutcome(final String account, final String batch, final String requestId, final Stem stem,
                                 final Map<String, String> labels) {
        final String key = ArchiveKey.of(account, batch, requestId, name(stem), "wav");
        outcomes.pipeInput(requestId, new ArchiveOutcome(true, requestId, account, batch, "SEPARATE_VOCAL", 1,
                "p-" + requestId, name(stem), labels, key, store.location(key).toString(),
                sha256Of(requestId, stem), 1000 + name(stem).length(), "audio/wav", null, null, null, 0, 0, 1L));
    }

    private void failedOutcome(final String requestId, final Stem stem, final String reason) {
        final String key = ArchiveKey.of(ACCOUNT, BATCH, requestId, name(stem), "wav");
        outcomes.pipeInput(requestId, new ArchiveOutcome(false, requestId, ACCOUNT, BATCH, "SEPARATE_VOCAL", 1,
                "p-" + requestId, name(stem), Map.of(), key, null, null, 0, null, reason, 410, null, 0, 0, 1L));
    }

    /** A job of the batch that completed with two stems, both archived. */
    private void completedJob(final String requestId) {
        jobStatus(requestId, JobState.SUBMITTED);
        stemReady(requestId, Stem.VOCALS);
        stemReady(requestId, Stem.INSTRUMENTAL);
        jobStatus(requestId, JobState.COMPLETED);
        archivedOutcome(requestId, Stem.VOCALS);
        archivedOutcome(requestId, Stem.INSTRUMENTAL);
    }

    private Path manifestFile(final String name) {
        return store.root().resolve(ACCOUNT).resolve(BATCH).resolve(name);
    }

    private List<String> csvLines() throws Exception {
        return List.of(Files.readString(manifestFile("manifest.csv")).split("\r\n", -1));
    }

    // ---- tests ----

    @Test
    void shouldWriteAndAnnounceTheManifestOnceWhenTheBatchStaysCompleteForTheGrace() throws Exception {
        // given: two jobs of the batch completed, their four stems archived
        completedJob("req-1");
        completedJob("req-2");
        assertThat(archived.readValuesToList()).hasSize(4);

        // when: less than the grace passes
        driver.advanceWallClockTime(GRACE.minusMillis(100));

        // then: nothing yet
        assertThat(manifests.isEmpty()).isTrue();
        assertThat(manifestFile("manifest.csv")).doesNotExist();

        // when: the grace passes, and then much longer
        driver.advanceWallClockTime(PAST_GRACE);
        driver.advanceWallClockTime(PAST_GRACE);

        // then: one manifest, announced once, listing every stem in order with its checksum
        final List<org.apache.kafka.streams.test.TestRecord<String, BatchManifest>> announced =
                manifests.readRecordsToList();
        assertThat(announced).hasSize(1);
        final BatchManifest m = announced.get(0).value();
        assertThat(announced.get(0).key()).isEqualTo(BATCH);
        assertThat(m.getAccountId()).isEqualTo(ACCOUNT);
        assertThat(m.getBatchId()).isEqualTo(BATCH);
        assertThat(m.getVersion()).isEqualTo(1);
        assertThat(m.getJobs()).isEqualTo(2);
        assertThat(m.getStems()).isEqualTo(4);
        assertThat(m.getArchived()).isEqualTo(4);
        assertThat(m.getFailed()).isZero();
        assertThat(m.getBytes()).isEqualTo(2L * (1006 + 1012));
        assertThat(m.getCsvKey()).isEqualTo(ACCOUNT + "/" + BATCH + "/manifest.csv");
        assertThat(m.getJsonKey()).isEqualTo(ACCOUNT + "/" + BATCH + "/manifest.json");
        assertThat(m.getCsvLocation()).isEqualTo(manifestFile("manifest.csv").toUri().toString());
        assertThat(m.getJsonLocation()).isEqualTo(manifestFile("manifest.json").toUri().toString());
        final String vocals1 = ArchiveKey.of(ACCOUNT, BATCH, "req-1", "vocals", "wav");
        assertThat(csvLines()).containsExactly(
                "requestId,audioId,track,stem,status,key,location,sha256,size,contentType,reason",
                "req-1,audio-req-1,Track req-1,instrumental,archived,"
                        + ArchiveKey.of(ACCOUNT, BATCH, "req-1", "instrumental", "wav") + ","
                        + store.location(ArchiveKey.of(ACCOUNT, BATCH, "req-1", "instrumental", "wav")) + ","
                        + sha256Of("req-1", Stem.INSTRUMENTAL) + ",1012,audio/wav,",
                "req-1,audio-req-1,Track req-1,vocals,archived," + vocals1 + "," + store.location(vocals1) + ","
                        + sha256Of("req-1", Stem.VOCALS) + ",1006,audio/wav,",
                csvLines().get(3), csvLines().get(4), "");
        assertThat(csvLines().get(3)).startsWith("req-2,audio-req-2,Track req-2,instrumental,archived,");
        assertThat(csvLines().get(4)).startsWith("req-2,audio-req-2,Track req-2,vocals,archived,");
        final com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(manifestFile("manifest.json").toFile());
        assertThat(json.get("version").asInt()).isEqualTo(1);
        assertThat(json.get("counts").get("stems").asInt()).isEqualTo(4);
        assertThat(json.get("counts").get("bytes").asLong()).isEqualTo(m.getBytes());
        assertThat(json.get("entries")).hasSize(4);
        assertThat(json.get("entries").get(1).get("sha256").asText()).isEqualTo(sha256Of("req-1", Stem.VOCALS));
        assertThat(json.get("entries").get(1).get("location").asText()).isEqualTo(store.location(vocals1).toString());
    }

    @Test
    void shouldWriteNothingWhenAJobOfTheBatchHasNotEnded() {
        // given: one job completed and archived, another still at the provider
        completedJob("req-1");
        jobStatus("req-2", JobState.SUBMITTED);

        // when
        driver.advanceWallClockTime(PAST_GRACE);
        driver.advanceWallClockTime(PAST_GRACE);

        // then
        assertThat(manifests.isEmpty()).isTrue();
        assertThat(manifestFile("manifest.csv")).doesNotExist();

        // when: it ends (failed: no stems) and the grace passes
        jobStatus("req-2", JobState.FAILED);
        driver.advanceWallClockTime(PAST_GRACE);

        // then: written, counting both ended jobs
        final BatchManifest m = manifests.readValue();
        assertThat(m.getJobs()).isEqualTo(2);
        assertThat(m.getStems()).isEqualTo(2);
        assertThat(manifests.isEmpty()).isTrue();
    }

    @Test
    void shouldWriteNothingWhileAStemIsPending() {
        // given: the job completed, one of its stems archived, the other not yet
        jobStatus("req-1", JobState.COMPLETED);
        stemReady("req-1", Stem.VOCALS);
        stemReady("req-1", Stem.INSTRUMENTAL);
        archivedOutcome("req-1", Stem.VOCALS);

        // when
        driver.advanceWallClockTime(PAST_GRACE);
        driver.advanceWallClockTime(PAST_GRACE);

        // then
        assertThat(manifests.isEmpty()).isTrue();

        // when: it is archived
        archivedOutcome("req-1", Stem.INSTRUMENTAL);
        driver.advanceWallClockTime(GRACE.minusMillis(100));

        // then: only after the grace, counted from that last change
        assertThat(manifests.isEmpty()).isTrue();
        driver.advanceWallClockTime(PAST_GRACE);
        assertThat(manifests.readValue().getArchived()).isEqualTo(2);
    }

    @Test
    void shouldListAFailedStemWithItsReasonWhenItCouldNotBeArchived() throws Exception {
        // given: one stem archived, the other's link gone (also reported twice, as a re-read does)
        jobStatus("req-1", JobState.COMPLETED);
        stemReady("req-1", Stem.VOCALS);
        stemReady("req-1", Stem.INSTRUMENTAL);
        archivedOutcome("req-1", Stem.VOCALS);
        failedOutcome("req-1", Stem.INSTRUMENTAL, "the stem's link answers HTTP 410: gone");
        failedOutcome("req-1", Stem.INSTRUMENTAL, "the stem's link answers HTTP 410: gone");

        // when
        driver.advanceWallClockTime(PAST_GRACE);

        // then
        final BatchManifest m = manifests.readValue();
        assertThat(m.getStems()).isEqualTo(2);
        assertThat(m.getArchived()).isEqualTo(1);
        assertThat(m.getFailed()).isEqualTo(1);
        assertThat(m.getBytes()).isEqualTo(1006);
        assertThat(deadLetters.readValuesToList()).hasSize(1);
        assertThat(csvLines().get(1)).isEqualTo("req-1,audio-req-1,Track req-1,instrumental,failed,"
                + ArchiveKey.of(ACCOUNT, BATCH, "req-1", "instrumental", "wav")
                + ",,,,,the stem's link answers HTTP 410: gone");
        assertThat(Files.readString(manifestFile("manifest.json")))
                .contains("\"reason\" : \"the stem's link answers HTTP 410: gone\"");
    }

    @Test
    void shouldWriteVersionTwoUnderTheSameKeysWhenAStemArrivesAfterTheManifest() throws Exception {
        // given: a written manifest
        completedJob("req-1");
        driver.advanceWallClockTime(PAST_GRACE);
        assertThat(manifests.readValue().getVersion()).isEqualTo(1);
        final byte[] first = Files.readAllBytes(manifestFile("manifest.csv"));

        // when: another stem of the batch turns up and is archived
        stemReady("req-1", Stem.DRUMS);
        archivedOutcome("req-1", Stem.DRUMS);
        driver.advanceWallClockTime(PAST_GRACE);

        // then
        final BatchManifest second = manifests.readValue();
        assertThat(second.getVersion()).isEqualTo(2);
        assertThat(second.getStems()).isEqualTo(3);
        assertThat(second.getCsvKey()).isEqualTo(ACCOUNT + "/" + BATCH + "/manifest.csv");
        assertThat(csvLines()).hasSize(5).anySatisfy(l -> assertThat(l).startsWith("req-1,audio-req-1,Track req-1,drums,"));
        assertThat(Files.readAllBytes(manifestFile("manifest.csv"))).isNotEqualTo(first);
        assertThat(Files.readString(manifestFile("manifest.json"))).contains("\"version\" : 2");
        assertThat(manifests.isEmpty()).isTrue();
    }

    @Test
    void shouldWaitAgainWhenAJobOfACompleteBatchIsReplayed() {
        // given: a complete batch (one job completed, one failed without stems), within its grace
        completedJob("req-1");
        jobStatus("req-2", JobState.FAILED);
        driver.advanceWallClockTime(GRACE.minusMillis(500));

        // when: the failed job is replayed
        jobStatus(ACCOUNT, BATCH, "req-2", JobState.REPLAYED, 2);
        driver.advanceWallClockTime(PAST_GRACE);
        driver.advanceWallClockTime(PAST_GRACE);

        // then: no manifest while its new attempt runs
        assertThat(manifests.isEmpty()).isTrue();

        // when: the new attempt completes with its stem archived
        jobStatus(ACCOUNT, BATCH, "req-2", JobState.COMPLETED, 2);
        stemReady("req-2", Stem.VOCALS);
        archivedOutcome("req-2", Stem.VOCALS);
        driver.advanceWallClockTime(PAST_GRACE);

        // then
        final BatchManifest m = manifests.readValue();
        assertThat(m.getVersion()).isEqualTo(1);
        assertThat(m.getJobs()).isEqualTo(2);
        assertThat(m.getStems()).isEqualTo(3);
    }

    @Test
    void shouldTryAgainAtTheNextPunctuationWhenTheStoreCannotBeWritten() throws Exception {
        // given: a complete batch, and a folder where its CSV manifest must go
        completedJob("req-1");
        final Path inTheWay = Files.createDirectories(manifestFile("manifest.csv").resolve("in-the-way"));

        // when
        driver.advanceWallClockTime(PAST_GRACE);
        driver.advanceWallClockTime(PAST_GRACE);

        // then: nothing announced, the batch still due
        assertThat(manifests.isEmpty()).isTrue();

        // when: the way is clear again
        Files.delete(inTheWay);
        Files.delete(manifestFile("manifest.csv"));
        driver.advanceWallClockTime(BatchManifests.punctuationInterval(GRACE));

        // then: written at the next punctuation, as version 1
        final BatchManifest m = manifests.readValue();
        assertThat(m.getVersion()).isEqualTo(1);
        assertThat(manifestFile("manifest.csv")).isRegularFile();
        assertThat(manifestFile("manifest.json")).isRegularFile();
        assertThat(manifests.isEmpty()).isTrue();
    }

    @Test
    void shouldQuoteFieldsWhenIdsAndLabelsHoldCommasQuotesAndLineBreaks() throws Exception {
        // given: ids and a track name that are not plain
        final String account = "label a/b";
        final String batch = "fall, \"best of\"";
        final String requestId = "req,\"1\"";
        jobStatus(account, batch, requestId, JobState.COMPLETED, 1);
        stemReady(account, batch, requestId, Stem.VOCALS, Map.of("title", "Song, \"live\"\nat home"));
        archivedOutcome(account, batch, requestId, Stem.VOCALS, Map.of());

        // when
        driver.advanceWallClockTime(PAST_GRACE);

        // then: the files are under the batch's encoded prefix, the CSV quoted as RFC 4180 says
        final BatchManifest m = manifests.readValue();
        assertThat(m.getBatchId()).isEqualTo(batch);
        assertThat(m.getCsvKey()).isEqualTo(ArchiveKey.batchPrefix(account, batch) + "manifest.csv");
        final String csv = Files.readString(store.root().resolve(m.getCsvKey()));
        final String key = ArchiveKey.of(account, batch, requestId, "vocals", "wav");
        assertThat(csv).isEqualTo("requestId,audioId,track,stem,status,key,location,sha256,size,contentType,reason\r\n"
                + "\"req,\"\"1\"\"\",\"audio-req,\"\"1\"\"\",\"Song, \"\"live\"\"\nat home\",vocals,archived," + key
                + "," + store.location(key) + "," + sha256Of(requestId, Stem.VOCALS) + ",1006,audio/wav,\r\n");
    }

    @Test
    void shouldWriteNoManifestWhenTheJobsHaveNoBatch() throws Exception {
        // given
        jobStatus(ACCOUNT, null, "req-1", JobState.COMPLETED, 1);
        stemReady(ACCOUNT, null, "req-1", Stem.VOCALS, Map.of());
        archivedOutcome(ACCOUNT, null, "req-1", Stem.VOCALS, Map.of());

        // when
        driver.advanceWallClockTime(PAST_GRACE);

        // then: archived and announced, but listed nowhere
        assertThat(archived.readValuesToList()).hasSize(1);
        assertThat(manifests.isEmpty()).isTrue();
        try (var files = Files.walk(store.root())) {
            assertThat(files.filter(f -> f.getFileName().toString().startsWith("manifest"))).isEmpty();
        }
    }

    @Test
    void shouldReadTheManifestsTopicNameFromTheCatalogue() {
        // then: what the archiver announces on is the contract's topic
        assertThat(Topics.create(new InMemorySchemaRegistryClient(), Map.of()).manifests().name())
                .isEqualTo(TopicNames.MANIFESTS);
    }
}
