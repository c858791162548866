package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stemflow.archiver.ArchiveKey;
import io.stemflow.archiver.ArchiverConfig;
import io.stemflow.archiver.store.ArchiveStore;
import io.stemflow.archiver.store.FileSystemStore;
import io.stemflow.archiver.store.S3ProxyServer;
import io.stemflow.archiver.store.S3Store;
import io.stemflow.archiver.store.S3StoreConfig;
import io.stemflow.archiver.store.StemMetadata;
import io.stemflow.archiver.store.StoredObject;
import io.stemflow.avro.BatchManifest;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemArchived;
import io.stemflow.avro.StemReady;
import io.stemflow.schemas.TopicNames;
import io.stemflow.serde.registry.RegistryClientConfig;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code stemflow archive status} and {@code stemflow export} on a real broker and registry, with real Avro records
 * on stemflow's topics and the stems in a real archive: a {@link FileSystemStore} in a temporary folder, and an
 * S3 bucket of a real S3 API server ({@link S3ProxyServer}) for one test.
 */
@WithKafkaStack
class ArchiveCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    static Path archiveDir;

    private static TestStack stack;
    private static KafkaProducer<String, SpecificRecord> producer;
    private static FileSystemStore folder;

    @TempDir
    Path dir;

    @BeforeAll
    static void connect(final TestStack kafka) throws IOException {
        stack = kafka;
        stack.createTopics(3, TopicNames.STEMS, TopicNames.ARCHIVED, TopicNames.DLQ, TopicNames.MANIFESTS);
        producer = new KafkaProducer<>(stack.producerConfig(), new StringSerializer(),
                new io.stemflow.serde.AvroSerializer<>(new RestSchemaRegistryClient(
                        RegistryClientConfig.of(stack.registryUrl().toString()))));
        folder = new FileSystemStore(archiveDir.resolve("archive"));
    }

    @AfterAll
    static void close() {
        if (producer != null) {
            producer.close();
        }
    }

    @Test
    void shouldCountArchivedFailedAndPendingWhenABatchIsPartlyArchived() throws Exception {
        // given a batch of account a: r1 archived whole, r2 one stem archived and one failed, r3 pending,
        // r4 failed then archived (an operator's replay); the same batch id used by account b; another batch of a
        final String batch = "status-" + RUN;
        final String a = "acct-a-" + RUN;
        final String b = "acct-b-" + RUN;
        for (final String r : List.of("r1", "r2", "r3")) {
            ready(a, batch, r, Stem.VOCALS);
            ready(a, batch, r, Stem.INSTRUMENTAL);
        }
        ready(a, batch, "r4", Stem.VOCALS);
        archive(folder, a, batch, "r1", Stem.VOCALS, 1000);
        archive(folder, a, batch, "r1", Stem.INSTRUMENTAL, 2000);
        archive(folder, a, batch, "r2", Stem.VOCALS, 3000);
        failed(a, batch, "r2", Stem.INSTRUMENTAL, "the stem's link answers HTTP 404");
        failed(a, batch, "r4", Stem.VOCALS, "the stem's link answers HTTP 503");
        archive(folder, a, batch, "r4", Stem.VOCALS, 4000);
        ready(b, batch, "rb1", Stem.VOCALS);
        ready(b, batch, "rb2", Stem.VOCALS);
        archive(folder, b, batch, "rb1", Stem.VOCALS, 500);
        ready(a, "other-" + RUN, "ro1", Stem.VOCALS);
        archive(folder, a, "other-" + RUN, "ro1", Stem.VOCALS, 700);
        manifest(a, batch, 1, folder);
        manifest(a, batch, 2, folder);

        // when
        final CliRun ofA = cli("archive", "status", "--batch", batch, "--account", a, "--json");
        final CliRun ofBoth = cli("archive", "status", "--batch", batch, "--json");
        final CliRun human = cli("archive", "status", "--batch", batch, "--account", a);

        // then
        assertThat(ofA.exit()).as(ofA.err()).isZero();
        final JsonNode s = JSON.readTree(ofA.out());
        assertThat(s.path("stems").asInt()).isEqualTo(7);
        assertThat(s.path("archived").asInt()).isEqualTo(4);
        assertThat(s.path("failed").asInt()).isEqualTo(1);
        assertThat(s.path("pending").asInt()).isEqualTo(2);
        assertThat(s.path("bytesArchived").asLong()).isEqualTo(10_000);
        assertThat(s.path("failures")).hasSize(1);
        assertThat(s.path("failures").get(0).path("requestId").asText()).isEqualTo("r2");
        assertThat(s.path("failures").get(0).path("stem").asText()).isEqualTo("instrumental");
        assertThat(s.path("manifests")).hasSize(1);
        assertThat(s.path("manifests").get(0).path("version").asInt()).isEqualTo(2);
        assertThat(ofBoth.exit()).as(ofBoth.err()).isZero();
        final JsonNode both = JSON.readTree(ofBoth.out());
        assertThat(both.path("stems").asInt()).isEqualTo(9);
        assertThat(both.path("archived").asInt()).isEqualTo(5);
        assertThat(both.path("pending").asInt()).isEqualTo(3);
        assertThat(both.path("accounts").toString()).contains(a, b);
        assertThat(human.exit()).as(human.err()).isZero();
        assertThat(human.out())
                .contains("batch " + batch + " of account " + a + ": 7 stem(s) | archived 4 | failed 1 | pending 2 | "
                        + "10.0 kB archived")
                .contains("r2 instrumental: stem instrumental not archived: the stem's link answers HTTP 404")
                .contains("manifest v2");
    }

    @Test
    void shouldSaySoAndExitZeroWhenNothingOfTheBatchWasSeen() {
        // when
        final CliRun run = cli("archive", "status", "--batch", "no-such-batch-" + RUN);
        final CliRun usage = cli("archive", "status");

        // then
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("batch no-such-batch-" + RUN + ": nothing seen");
        assertThat(usage.exit()).isEqualTo(CommandLine.ExitCode.USAGE);
    }

    @Test
    void shouldCopyEveryStemVerifiedAndSkipThemTheSecondTimeWhenExported() throws Exception {
        // given a batch with three archived stems (one of an id that is no plain path segment), one pending,
        // and a manifest
        final String batch = "export-" + RUN;
        final String account = "acct-x-" + RUN;
        final List<StemArchived> archived = List.of(
                archive(folder, account, batch, "e1", Stem.VOCALS, 10_000),
                archive(folder, account, batch, "e1", Stem.INSTRUMENTAL, 20_000),
                archive(folder, account, batch, "e 2/../x", Stem.BACKING_VOCALS, 5_000));
        ready(account, batch, "e3", Stem.VOCALS);
        manifest(account, batch, 1, folder);
        final Path to = dir.resolve("out");

        // when
        final CliRun first = cli("export", "--batch", batch, "--to", to.toString());

        // then every stem is under its name with the announced bytes, and the manifest beside them
        assertThat(first.exit()).as(first.out() + first.err()).isZero();
        assertThat(first.out()).contains("3 copied, 0 skipped", "0 failed", "Manifest v1 copied",
                "1 stem(s) of the batch are not archived: 1 pending");
        for (final StemArchived a : archived) {
            final Path file = to.resolve(ExportCommand.relativePath(a));
            assertThat(sha256(Files.readAllBytes(file))).as(file.toString()).isEqualTo(a.getSha256());
        }
        assertThat(to.resolve("e1/vocals.wav")).exists();
        assertThat(to.resolve("e%202%2F..%2Fx/backing_vocals.wav")).exists();
        assertThat(to.resolve(ExportCommand.MANIFEST_CSV)).hasContent("manifest v1 of " + batch);
        assertThat(to.resolve(ExportCommand.MANIFEST_JSON)).exists();
        assertThat(partFiles(to)).isEmpty();

        // when exported again after a run stopped mid-copy left a temporary file behind
        Files.writeString(to.resolve("e1/.vocals.wav.4711.part"), "half a stem");
        final CliRun second = cli("export", "--batch", batch, "--to", to.toString(), "--account", account);

        // then nothing is copied again
        assertThat(second.exit()).as(second.out() + second.err()).isZero();
        assertThat(second.out()).contains("0 copied, 3 skipped", "0 failed");
        assertThat(partFiles(to)).isEmpty();
    }

    @Test
    void shouldFailNamingTheStemAndLeaveNoFileUnderItsNameWhenAStoredFileIsCorrupted() throws Exception {
        // given a batch of two stems, one of them changed in the archive after it was announced
        final String batch = "corrupt-" + RUN;
        final String account = "acct-y-" + RUN;
        final StemArchived good = archive(folder, account, batch, "c1", Stem.VOCALS, 4_000);
        final StemArchived bad = archive(folder, account, batch, "c2", Stem.DRUMS, 4_000);
        final Path stored = Path.of(java.net.URI.create(bad.getLocation()));
        final byte[] bytes = Files.readAllBytes(stored);
        bytes[100] ^= 0x55;
        Files.write(stored, bytes);
        final Path to = dir.resolve("out");
        Files.createDirectories(to.resolve("c2"));
        Files.writeString(to.resolve("c2/drums.wav"), "a wrong file from before");

        // when
        final CliRun run = cli("export", "--batch", batch, "--to", to.toString());

        // then
        assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(1);
        assertThat(run.err()).contains("FAILED c2 drums", bad.getSha256());
        assertThat(run.out()).contains("1 copied", "1 failed");
        assertThat(to.resolve("c2/drums.wav")).doesNotExist();
        assertThat(sha256(Files.readAllBytes(to.resolve(ExportCommand.relativePath(good))))).isEqualTo(good.getSha256());
        assertThat(partFiles(to)).isEmpty();
    }

    @Test
    void shouldAskForTheAccountWhenSeveralAccountsUseTheBatchId() throws Exception {
        // given
        final String batch = "shared-" + RUN;
        archive(folder, "acct-p-" + RUN, batch, "p1", Stem.VOCALS, 100);
        archive(folder, "acct-q-" + RUN, batch, "q1", Stem.VOCALS, 100);

        // when
        final CliRun run = cli("export", "--batch", batch, "--to", dir.resolve("out").toString());
        final CliRun none = cli("export", "--batch", "no-such-batch-" + RUN, "--to", dir.resolve("none").toString());

        // then
        assertThat(run.exit()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(run.err()).contains("give --account");
        assertThat(dir.resolve("out")).doesNotExist();
        assertThat(none.exit()).isEqualTo(CliException.NOT_FOUND);
    }

    @Test
    void shouldCopyEveryStemWhenTheArchiveIsAnS3Bucket(@TempDir final Path serverDir) throws Exception {
        // given stems archived in a bucket under a prefix, as the archiver's S3Store puts them
        try (S3ProxyServer server = S3ProxyServer.start(serverDir)) {
            try (var plain = server.client()) {
                plain.createBucket(c -> c.bucket("stemflow-export"));
            }
            final Path secret = Files.writeString(dir.resolve("s3-secret"), server.credential() + "\n");
            final String batch = "s3-" + RUN;
            final String account = "acct-s3-" + RUN;
            final List<StemArchived> archived;
            try (S3Store bucket = S3Store.create(new S3StoreConfig("stemflow-export", "archive", S3ProxyServer.REGION,
                    server.endpoint(), true, S3ProxyServer.IDENTITY, secret))) {
                archived = List.of(archive(bucket, account, batch, "s1", Stem.VOCALS, 30_000),
                        archive(bucket, account, batch, "s1", Stem.INSTRUMENTAL, 40_000));
            }
            assertThat(archived).allSatisfy(a -> assertThat(a.getLocation()).startsWith("s3://stemflow-export/archive/"));
            final Path to = dir.resolve("from-s3");
            final Map<String, String> env = Map.of(
                    ArchiverConfig.S3_ENDPOINT, server.endpoint().toString(),
                    ArchiverConfig.S3_REGION, S3ProxyServer.REGION,
                    ArchiverConfig.S3_ACCESS_KEY_ID, S3ProxyServer.IDENTITY,
                    ArchiverConfig.S3_SECRET_ACCESS_KEY_FILE, secret.toString());

            // when
            final CliRun run = cliWithEnvironment(env, "export", "--batch", batch, "--to", to.toString());

            // then
            assertThat(run.exit()).as(run.out() + run.err()).isZero();
            assertThat(run.out()).contains("2 copied, 0 skipped", "0 failed").doesNotContain(server.credential());
            for (final StemArchived a : archived) {
                assertThat(sha256(Files.readAllBytes(to.resolve(ExportCommand.relativePath(a))))).isEqualTo(a.getSha256());
            }
        }
    }

    // --- the CLI

    private static CliRun cli(final String... args) {
        return cliWithEnvironment(Map.of(), args);
    }

    /** Runs the CLI against the test broker and registry; {@code env} is the export's environment (S3 settings). */
    private static CliRun cliWithEnvironment(final Map<String, String> env, final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-servers", stack.bootstrapServers(), "--registry-url",
                stack.registryUrl().toString(), "--stack-file", archiveDir.resolve("no-stack.json").toString(),
                "--no-progress"));
        final CommandLine cli = StemflowCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        ((ExportCommand) cli.getSubcommands().get("export").getCommand()).withEnvironment(env);
        final int exit = cli.execute(all.toArray(String[]::new));
        return new CliRun(exit, out.toString(), err.toString());
    }

    // --- records on the topics, stems in the archive

    private static void ready(final String account, final String batch, final String requestId, final Stem stem)
            throws Exception {
        send(TopicNames.STEMS, requestId, StemReady.newBuilder()
                .setRequestId(requestId).setAccountId(account).setBatchId(batch).setTaskId("t-" + requestId)
                .setAudioId("a-" + requestId).setType(SeparationType.SPLIT_STEM).setProviderTaskId("p-" + requestId)
                .setStem(stem).setUrl("https://provider.test/" + requestId + "/" + stem + ".wav")
                .setExpiresAt(Instant.now().plusSeconds(86_400)).setCompletedAt(Instant.now()).build());
    }

    /** Stores {@code size} bytes as the stem in {@code store} and announces it on separation-archived. */
    private static StemArchived archive(final ArchiveStore store, final String account, final String batch,
                                        final String requestId, final Stem stem, final int size) throws Exception {
        final byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + requestId.hashCode() + stem.ordinal());
        }
        final String name = stem.name().toLowerCase(Locale.ROOT);
        final Path file = Files.createTempFile(archiveDir, "stem-", ".wav");
        Files.write(file, bytes);
        final String key = ArchiveKey.of(account, batch, requestId, name, "wav");
        final StoredObject stored = store.put(key, file, new StemMetadata(requestId, account, batch, name,
                sha256(bytes), size, "audio/wav"));
        Files.deleteIfExists(file);
        final StemArchived archived = StemArchived.newBuilder()
                .setRequestId(requestId).setAccountId(account).setBatchId(batch).setType(SeparationType.SPLIT_STEM)
                .setProviderTaskId("p-" + requestId).setStem(stem).setLocation(stored.location().toString())
                .setKey(key).setSha256(sha256(bytes)).setSize(size).setContentType("audio/wav")
                .setArchivedAt(Instant.now()).build();
        send(TopicNames.ARCHIVED, requestId, archived);
        return archived;
    }

    private static void failed(final String account, final String batch, final String requestId, final Stem stem,
                               final String reason) throws Exception {
        final String name = stem.name().toLowerCase(Locale.ROOT);
        send(TopicNames.DLQ, requestId, DeadLetter.newBuilder()
                .setDeadLetterId(requestId + "/1/" + name + "/ARCHIVE_FAILED").setKind(DeadLetterKind.ARCHIVE_FAILED)
                .setReason("stem " + name + " not archived: " + reason).setRequestId(requestId).setAccountId(account)
                .setBatchId(batch).setAttempt(1).setSourceTopic(TopicNames.STEMS).setFailedAt(Instant.now()).build());
    }

    /** Writes a manifest's two files into the folder archive and announces it. */
    private static void manifest(final String account, final String batch, final int version,
                                 final FileSystemStore store) throws Exception {
        final Path base = store.root().resolve(ArchiveKey.batchPrefix(account, batch));
        Files.createDirectories(base);
        final Path csv = Files.writeString(base.resolve("manifest.csv"), "manifest v" + version + " of " + batch);
        final Path json = Files.writeString(base.resolve("manifest.json"), "{\"version\":" + version + "}");
        send(TopicNames.MANIFESTS, batch, BatchManifest.newBuilder()
                .setAccountId(account).setBatchId(batch).setVersion(version).setJobs(4).setStems(7).setArchived(4)
                .setFailed(1).setBytes(10_000).setCsvKey(ArchiveKey.batchPrefix(account, batch) + "manifest.csv")
                .setJsonKey(ArchiveKey.batchPrefix(account, batch) + "manifest.json")
                .setCsvLocation(csv.toUri().toString()).setJsonLocation(json.toUri().toString())
                .setWrittenAt(Instant.now()).build());
    }

    private static void send(final String topic, final String key, final SpecificRecord value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get();
    }

    private static List<Path> partFiles(final Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".part")).toList();
        }
    }

    private static String sha256(final byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
