package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.avro.SeparationRequest;
import io.stemflow.emulator.FaultShares;
import io.stemflow.localstack.LocalStack;
import io.stemflow.localstack.LocalStackConfig;
import io.stemflow.localstack.StackInfo;
import io.stemflow.localstack.StackPorts;
import io.stemflow.kafka.TopicSnapshot;
import io.stemflow.schemas.TopicNames;
import io.stemflow.serde.AvroSerdes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's commands against a whole local stack, found through its stack.json. */
@Tag("broker")
class CliCommandsTest {

    @TempDir
    static Path dataDir;

    private static LocalStack stack;

    @BeforeAll
    static void startStack() {
        stack = LocalStack.start(new LocalStackConfig(dataDir, StackPorts.anyFree(), 2, false, true));
    }

    @AfterAll
    static void stopStack() {
        stack.close();
    }


    private static CliRun cli(final String... args) {
        return CliRun.on(dataDir.resolve("stack.json"), args);
    }

    @Test
    void shouldReportEveryBadRowAndSubmitNothingWhenTheManifestHasErrors(@TempDir final Path dir) throws Exception {
        // given
        final Path manifest = Files.writeString(dir.resolve("bad.csv"), String.join("\n",
                "taskId,audioId,type,artist",
                "t1,a1,split_stem,The Examples",
                "t2,,separate_vocal,The Examples",
                "t3,a3,karaoke,The Examples",
                "t1,a1,split_stem,duplicate row",
                "t5,a5,separate_vocal") + "\n");

        // when
        final CliRun run = cli("submit", "--manifest", manifest.toString(), "--account", "cli-acct", "--batch", "cli-bad",
                "--no-progress");

        // then
        assertThat(run.exit()).isEqualTo(CliException.INVALID_INPUT);
        assertThat(run.err())
                .contains("line 3: audioId is missing")
                .contains("line 4: type 'karaoke' is not separate_vocal or split_stem")
                .contains("line 5: same taskId, audioId and type as line 2")
                .contains("line 6: has 3 columns, the header has 4")
                .contains("Nothing submitted");
        assertThat(requestsOfBatch("cli-bad")).isEmpty();
    }

    @Test
    void shouldSubmitEachJobOnceWhenTheSameManifestIsSubmittedTwice(@TempDir final Path dir) throws Exception {
        // given
        final Path manifest = Files.writeString(dir.resolve("catalogue.jsonl"), String.join("\n",
                "{\"taskId\":\"t1\",\"audioId\":\"a1\",\"labels\":{\"isrc\":\"GB-1\"}}",
                "{\"taskId\":\"t2\",\"audioId\":\"a2\",\"type\":\"split_stem\"}",
                "{\"taskId\":\"t3\",\"audioId\":\"a3\"}") + "\n");
        final String[] submit = {"submit", "--manifest", manifest.toString(), "--type", "separate_vocal",
            "--account", "cli-acct", "--batch", "cli-twice", "--no-progress"};

        // when
        final CliRun first = cli(submit);
        final CliRun second = cli(submit);

        // then both runs produced the same three requestIds, and the batch holds three jobs
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(second.exit()).as(second.err()).isZero();
        assertThat(first.out()).contains("Submitted 3 request(s) of batch cli-twice");
        final List<SeparationRequest> sent = requestsOfBatch("cli-twice");
        assertThat(sent).hasSize(6);
        assertThat(sent.stream().map(SeparationRequest::getRequestId).distinct()).hasSize(3);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            final CliRun status = cli("status", "--batch", "cli-twice");
            assertThat(status.exit()).as(status.err()).isZero();
            assertThat(status.out()).contains("batch cli-twice: 3 jobs");
        });
        // and a job can be looked up with its history
        final CliRun job = cli("job", sent.get(0).getRequestId());
        assertThat(job.exit()).as(job.err()).isZero();
        assertThat(job.out()).contains(sent.get(0).getRequestId()).contains("REQUESTED").contains("history:");
        assertThat(cli("job", "no-such-job").exit()).isEqualTo(CliException.NOT_FOUND);
    }

    @Test
    void shouldEndEveryJobAndBalanceTheLedgerWhenTheDemoRunsAgainstARunningStack() throws Exception {
        // when the demo catalogue is pushed through the running stack from outside it
        final CliRun demo = cli("demo", "--tracks", "6", "--batch", "cli-demo", "--timeout", "PT3M");

        // then every job ended, the ledger balances, and the query API (a separate reader) agrees
        assertThat(demo.exit()).as(demo.out() + demo.err()).isZero();
        assertThat(demo.out()).contains("every job ended  : yes", "ledger balances  : yes", "/batches/cli-demo");
        final String queryApi = stack.info().services().get("query-api");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(queryApi + "/batches/cli-demo")).header("Authorization",
                        "Bearer " + java.nio.file.Files.readString(java.nio.file.Path.of(stack.info().credentials().get(StackInfo.VIEWER_TOKEN_FILE))).strip()).build(),
                        HttpResponse.BodyHandlers.ofString()).body())
                .contains("\"total\":6", "\"COMPLETED\":6"));
        assertThat(cli("demo", "--tracks", "1").exit()).isEqualTo(CliException.INVALID_INPUT);
    }

    @Test
    void shouldShowAGrantInTheBalanceWhenCreditsAreGranted() {
        // when
        final CliRun grant = cli("credits", "grant", "--account", "cli-budget", "--credits", "500", "--grant-id", "g-cli-1");
        final CliRun again = cli("credits", "grant", "--account", "cli-budget", "--credits", "500", "--grant-id", "g-cli-1");

        // then the same grant id counts once
        assertThat(grant.exit()).as(grant.err()).isZero();
        assertThat(again.exit()).isZero();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            final CliRun show = cli("credits", "show", "--account", "cli-budget");
            assertThat(show.exit()).as(show.err()).isZero();
            assertThat(show.out()).containsPattern("cli-budget\\s+500\\s+500\\s+0\\s+0");
        });
        assertThat(cli("credits", "grant", "--account", "cli-budget", "--credits", "-5").exit())
                .isEqualTo(CliException.INVALID_INPUT);
    }

    @Test
    void shouldReplayFailedJobsOnceAndChargeThemOnceWhenTheProviderRecovers(@TempDir final Path dir) throws Exception {
        // given three jobs that the provider fails
        final var control = stack.emulator().orElseThrow().control();
        control.setFaults(FaultShares.NONE.withTaskFailures(1.0));
        try {
            final Path manifest = Files.writeString(dir.resolve("replay.csv"), "taskId,audioId\nr1,a1\nr2,a2\nr3,a3\n");
            assertThat(cli("submit", "--manifest", manifest.toString(), "--type", "separate_vocal", "--account",
                    "cli-replay-acct", "--batch", "cli-replay", "--no-progress").exit()).isZero();
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                    assertThat(cli("status", "--batch", "cli-replay").out()).contains("3 jobs | FAILED 3"));
        } finally {
            control.setFaults(FaultShares.NONE);
        }

        // when a dry run comes first
        final CliRun dry = cli("replay", "--batch", "cli-replay", "--dry-run");

        // then it lists them and sends nothing
        assertThat(dry.exit()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("Dry run: 3 job(s) would be replayed");
        assertThat(requestsOfBatch("cli-replay")).hasSize(3);

        // when replayed for real, twice
        final CliRun replay = cli("replay", "--batch", "cli-replay");
        assertThat(replay.exit()).as(replay.err()).isZero();
        assertThat(replay.out()).contains("Replayed 3 job(s)");
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                assertThat(cli("status", "--batch", "cli-replay").out()).contains("3 jobs | COMPLETED 3")
                        .contains("credits reserved 0, spent 30"));
        final CliRun again = cli("replay", "--batch", "cli-replay");

        // then the second run replays nothing, and each job was charged once
        assertThat(again.out()).contains("Replayed 0 job(s)").contains("already replayed");
        final List<SeparationRequest> sent = requestsOfBatch("cli-replay");
        assertThat(sent).hasSize(6);
        assertThat(sent).filteredOn(r -> r.getAttempt() == 2).allSatisfy(r -> assertThat(r.getReplayOf()).isNotNull());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(cli("credits", "show", "--account", "cli-replay-acct").out())
                        .containsPattern("cli-replay-acct\\s+0\\s+-30\\s+0\\s+30"));
    }

    @Test
    void shouldSayWhereToPointWhenNoStackCanBeFound(@TempDir final Path empty) {
        // when
        final StringWriter err = new StringWriter();
        final int exit = StemflowCli.commandLine().setErr(new PrintWriter(err))
                .execute("credits", "show", "--stack-file", empty.resolve("stack.json").toString());

        // then
        assertThat(exit).isEqualTo(CliException.NOT_CONFIGURED);
        assertThat(err.toString()).contains("--query-url").contains("bin/stemflow dev");
    }

    /** The batch's requests on both request topics: submit sends BULK runs to the bulk lane, replay to the main one. */
    private static List<SeparationRequest> requestsOfBatch(final String batch) {
        final Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.info().bootstrapServers());
        final List<SeparationRequest> found = new ArrayList<>();
        for (final String topic : List.of(TopicNames.REQUESTS_BULK, TopicNames.REQUESTS)) {
            try (KafkaConsumer<String, SeparationRequest> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                    AvroSerdes.specific(SeparationRequest.class,
                            Map.of("schema.registry.url", stack.info().schemaRegistryUrl()), false).deserializer())) {
                TopicSnapshot.read(consumer, topic, Duration.ofSeconds(30), r -> {
                    if (batch.equals(r.value().getBatchId())) {
                        found.add(r.value());
                    }
                });
            }
        }
        return found;
    }
}
