package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.avro.LedgerEntry;
import io.stemflow.avro.LedgerEntryKind;
import io.stemflow.avro.StemReady;
import io.stemflow.emulator.FaultShares;
import io.stemflow.kafka.TopicSnapshot;
import io.stemflow.localstack.LocalStack;
import io.stemflow.localstack.LocalStackConfig;
import io.stemflow.localstack.StackPorts;
import io.stemflow.schemas.Topic;
import io.stemflow.schemas.Topics;
import io.stemflow.serde.registry.RegistryConnection;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code stemflow audit} on a whole local stack after two failed jobs were replayed and a demo ran (issue 17's "must
 * show"): every invariant holds, and with a baseline taken before the demo the provider's credits spent equal the
 * credits captured; then a charge behind stemflow's back makes the provider reconciliation exit 1 naming the
 * unexplained difference, and a capture duplicated by hand, and a stem event written twice, each make it exit 1
 * naming the job.
 */
@Tag("broker")
final class AuditCommandTest {

    @TempDir
    static Path dataDir;

    private static LocalStack stack;
    private static Topics topics;

    @BeforeAll
    static void startStack() {
        stack = LocalStack.start(new LocalStackConfig(dataDir, StackPorts.anyFree(), 2, false, true));
        // the contract's serdes with the registry user the CLI itself takes from the stack's file
        final ConnectionOnly holder = CommandLine.populateCommand(new ConnectionOnly(), "--stack-file",
                dataDir.resolve("stack.json").toString());
        final RegistryConnection registry = holder.connection.registry();
        topics = Topics.create(new RestSchemaRegistryClient(registry.clientConfig()), registry.serdeConfig());
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @CommandLine.Command(name = "connection-only")
    static final class ConnectionOnly {
        @CommandLine.Mixin
        Connection connection;
    }


    private static CliRun cli(final String... args) {
        return CliRun.on(dataDir.resolve("stack.json"), args);
    }

    @Test
    void shouldFailNamingWhatIsUnexplainedWhenTheProviderIsChargedBehindItsBackOrACaptureOrStemIsDuplicated(@TempDir final Path dir) throws Exception {
        // given two jobs the provider fails, replayed as attempt 2 once it recovers
        final var control = stack.emulator().orElseThrow().control();
        control.setFaults(FaultShares.NONE.withTaskFailures(1.0));
        try {
            final Path manifest = Files.writeString(dir.resolve("fail.csv"), "taskId,audioId\nf1,a1\nf2,a2\n");
            assertThat(cli("submit", "--manifest", manifest.toString(), "--type", "separate_vocal", "--account",
                    "audit-acct", "--batch", "audit-replay", "--no-progress").exit()).isZero();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(cli("status", "--batch", "audit-replay").out()).contains("2 jobs | FAILED 2"));
        } finally {
            control.setFaults(FaultShares.NONE);
        }
        assertThat(cli("replay", "--batch", "audit-replay").out()).contains("Replayed 2 job(s)");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(cli("status", "--batch", "audit-replay").out()).contains("2 jobs | COMPLETED 2")
                        .contains("credits reserved 0, spent 20"));
        // and a baseline of the provider's balance taken before a demo run to its end
        final String apiKey = stack.info().credentials().get("provider-emulator-api-key");
        final long balanceBefore = control.credits(apiKey);
        final Path baseline = dir.resolve("audit").resolve("baseline.json");
        final CliRun taken = cli("audit", "--baseline", baseline.toString());
        assertThat(taken.exit()).as(taken.out() + taken.err()).isZero();
        assertThat(taken.out()).contains("Baseline written to " + baseline).doesNotContain(apiKey);
        assertThat(Files.getPosixFilePermissions(baseline)).containsExactlyInAnyOrder(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.readString(baseline)).doesNotContain(apiKey);
        final CliRun demo = cli("demo", "--tracks", "8", "--batch", "audit-demo", "--timeout", "PT3M");
        assertThat(demo.exit()).as(demo.out() + demo.err()).isZero();

        // when the deployment is audited as it is
        final CliRun clean = cli("audit");

        // then every invariant holds
        assertThat(clean.exit()).as(clean.out() + clean.err()).isZero();
        assertThat(clean.out()).contains("Every invariant holds.").doesNotContain("BROKEN")
                .containsPattern("Audited \\d+ record\\(s\\) of 6 topic\\(s\\): 10 job\\(s\\), 12 attempt\\(s\\)");
        assertThat(clean.out().lines().filter(l -> l.startsWith("  OK      "))).hasSize(6);

        // when it is audited in three passes, each keeping a third of the jobs
        final CliRun inPasses = cli("audit", "--passes", "3");

        // then it finds the same
        assertThat(inPasses.exit()).as(inPasses.out() + inPasses.err()).isZero();
        assertThat(inPasses.out()).contains("Every invariant holds.")
                .containsPattern("Audited \\d+ record\\(s\\) of 6 topic\\(s\\) in 3 passes: 10 job\\(s\\), 12 "
                        + "attempt\\(s\\)");

        // when the deployment is audited with the baseline taken before the demo
        final long spentInDemo = balanceBefore - control.credits(apiKey);
        assertThat(spentInDemo).isPositive();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            final CliRun reconciled = cli("audit", "--baseline", baseline.toString());

            // then the provider's spending equals the credits captured in the demo, and every invariant holds
            assertThat(reconciled.exit()).as(reconciled.out() + reconciled.err()).isZero();
            assertThat(reconciled.out()).contains("OK      the provider's credits spent since the baseline")
                    .contains("provider spent " + spentInDemo + " since ")
                    .contains("captured " + spentInDemo + ", accepted by the provider " + spentInDemo
                            + ", difference 0, unexplained 0")
                    .contains("Every invariant holds.").doesNotContain(apiKey);
        });

        // when the provider is charged 15 credits behind stemflow's back, and the audit is given the provider's URL
        // and a file holding its API key (as against a real provider)
        control.setCredits(apiKey, control.credits(apiKey) - 15);
        final Path keyFile = Files.writeString(dir.resolve("provider-api-key"), apiKey);
        final CliRun charged = cli("audit", "--baseline", baseline.toString(), "--provider-url",
                stack.info().services().get("provider-emulator"), "--provider-api-key-file", keyFile.toString());

        // then the reconciliation is broken, naming the unexplained difference
        assertThat(charged.exit()).as(charged.out() + charged.err()).isEqualTo(1);
        assertThat(charged.out()).contains("BROKEN  the provider's credits spent since the baseline")
                .contains("provider spent " + (spentInDemo + 15) + " since ")
                .contains("difference 15, unexplained 15")
                .contains("15 credit(s) of the difference are explained by no job")
                .contains("Some invariants are broken.").doesNotContain(apiKey);

        // when a completed job's capture is written to the ledger again
        final LedgerEntry capture = first(topics.creditLedger(), e -> e.getKind() == LedgerEntryKind.CAPTURE);
        send(topics.creditLedger(), capture.getAccountId(), capture);
        final CliRun duplicatedCapture = cli("audit", "--max-examples", "3");

        // then the audit fails naming that job
        assertThat(duplicatedCapture.exit()).as(duplicatedCapture.out() + duplicatedCapture.err()).isEqualTo(1);
        assertThat(duplicatedCapture.out())
                .contains("BROKEN  every COMPLETED attempt captured once at its cost, no capture without one")
                .contains("job " + capture.getRequestId() + " attempt " + capture.getAttempt() + " (account "
                        + capture.getAccountId() + ") COMPLETED and was captured 2 times")
                .contains("Some invariants are broken.");

        // when a stem event is written twice
        final StemReady stem = first(topics.stems(), s -> true);
        send(topics.stems(), stem.getRequestId(), stem);
        final CliRun duplicatedStem = cli("audit", "--passes", "4");

        // then the audit fails naming that stem's job, also when it keeps a quarter of the jobs at a time
        assertThat(duplicatedStem.exit()).as(duplicatedStem.out() + duplicatedStem.err()).isEqualTo(1);
        assertThat(duplicatedStem.out()).contains("stem " + stem.getStem() + " of job " + stem.getRequestId()
                + " attempt " + stem.getAttempt() + " (account " + stem.getAccountId() + ") was written more than once");
    }

    private static <V> V first(final Topic<String, V> topic, final java.util.function.Predicate<V> which) {
        final Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.info().bootstrapServers());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        final List<V> found = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(c, topic.keySerde().deserializer(),
                topic.valueSerde().deserializer())) {
            TopicSnapshot.read(consumer, topic.name(), Duration.ofSeconds(30), r -> {
                if (r.value() != null && which.test(r.value())) {
                    found.add(r.value());
                }
            });
        }
        assertThat(found).as("records on " + topic.name()).isNotEmpty();
        return found.get(0);
    }

    /** Writes one record with the contract's serdes and waits for its acknowledgement. */
    private static <V> void send(final Topic<String, V> topic, final String key, final V value) throws Exception {
        final Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.info().bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<String, V> producer = new KafkaProducer<>(p, topic.keySerde().serializer(),
                topic.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topic.name(), key, value)).get(30, TimeUnit.SECONDS);
        }
    }
}
