package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.avro.AccountShare;
import io.stemflow.avro.ControlAction;
import io.stemflow.avro.ControlCommand;
import io.stemflow.avro.ControlScope;
import io.stemflow.avro.Priority;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.kafka.TopicSnapshot;
import io.stemflow.localstack.LocalStack;
import io.stemflow.localstack.LocalStackConfig;
import io.stemflow.localstack.StackPorts;
import io.stemflow.schemas.TopicNames;
import io.stemflow.serde.AvroSerdeConfig;
import io.stemflow.serde.AvroSerdes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * batch, account and submit --priority against a whole local stack, found through its stack.json: what
 * arrives on separation-control, account-shares and separation-requests, decoded with the Avro serde.
 * What the scheduler makes of these records is the topology's to test.
 */
@Tag("broker")
class ControlCommandsTest {

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

    /** Submits a two-row manifest as {@code batch} of {@code account} and waits until the query API knows the batch. */
    private static List<SeparationRequest> submitted(final Path dir, final String batch, final String account,
                                                     final String... priority) throws Exception {
        final Path manifest = Files.writeString(dir.resolve(batch + ".csv"), "taskId,audioId\nt1,a1\nt2,a2\n");
        final List<String> args = new ArrayList<>(List.of("submit", "--manifest", manifest.toString(), "--type",
                "separate_vocal", "--account", account, "--batch", batch, "--no-progress"));
        args.addAll(List.of(priority));
        final CliRun submit = cli(args.toArray(String[]::new));
        assertThat(submit.exit()).as(submit.err()).isZero();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(cli("status", "--batch", batch).exit()).isZero());
        return requestsOf(TopicNames.REQUESTS_BULK, batch);
    }

    private static List<SeparationRequest> requestsOf(final String topic, final String batch) {
        return records(topic, SeparationRequest.class).stream().map(ConsumerRecord::value)
                .filter(r -> batch.equals(r.getBatchId())).toList();
    }

    @Test
    void shouldSetThePriorityOnEveryRequestAndSendBulkRunsToTheBulkLaneWhenSubmitting(@TempDir final Path dir)
            throws Exception {
        // when
        submitted(dir, "ctl-interactive", "ctl-prio", "--priority", "interactive");
        submitted(dir, "ctl-normal", "ctl-prio", "--priority", "NORMAL");
        final List<SeparationRequest> bulk = submitted(dir, "ctl-bulk", "ctl-prio");

        // then BULK (the default) on separation-requests-bulk, the others on separation-requests, each once
        assertThat(bulk).hasSize(2).allSatisfy(r -> assertThat(r.getPriority()).isEqualTo(Priority.BULK));
        assertThat(requestsOf(TopicNames.REQUESTS, "ctl-bulk")).isEmpty();
        assertThat(requestsOf(TopicNames.REQUESTS, "ctl-interactive")).hasSize(2)
                .allSatisfy(r -> assertThat(r.getPriority()).isEqualTo(Priority.INTERACTIVE));
        assertThat(requestsOf(TopicNames.REQUESTS, "ctl-normal")).hasSize(2)
                .allSatisfy(r -> assertThat(r.getPriority()).isEqualTo(Priority.NORMAL));
        assertThat(requestsOf(TopicNames.REQUESTS_BULK, "ctl-interactive")).isEmpty();
    }

    @Test
    void shouldSendAPauseWithEveryFieldWhenTheBatchIsKnown(@TempDir final Path dir) throws Exception {
        // given
        submitted(dir, "ctl-pause", "ctl-acct-1");
        final Instant before = Instant.now();

        // when
        final CliRun pause = cli("batch", "pause", "--batch", "ctl-pause", "--by", "alice", "--reason", "label asked to wait");

        // then one command, keyed by the batch, with a fresh UUID the output names, and how to follow it
        assertThat(pause.exit()).as(pause.err()).isZero();
        final List<ConsumerRecord<String, ControlCommand>> sent = controlFor("ctl-pause");
        assertThat(sent).hasSize(1);
        final ConsumerRecord<String, ControlCommand> record = sent.get(0);
        final ControlCommand c = record.value();
        assertThat(record.key()).isEqualTo("ctl-pause");
        assertThat(c.getAction()).isEqualTo(ControlAction.PAUSE);
        assertThat(c.getScope()).isEqualTo(ControlScope.BATCH);
        assertThat(c.getTarget()).isEqualTo("ctl-pause");
        assertThat(c.getAccountId()).isNull();
        assertThat(c.getRequestedBy()).isEqualTo("alice");
        assertThat(c.getReason()).isEqualTo("label asked to wait");
        assertThat(UUID.fromString(c.getCommandId())).isNotNull();
        assertThat(c.getRequestedAt()).isBetween(before.minusSeconds(1), Instant.now());
        assertThat(pause.out()).contains("Sent PAUSE of batch ctl-pause as command " + c.getCommandId() + " (by alice)",
                "--command-id " + c.getCommandId(), "bin/stemflow status --batch ctl-pause --watch");
        assertThat(pause.err()).isEmpty();
    }

    @Test
    void shouldSendTheSameCommandIdWhenACommandIsRepeatedWithCommandId() {
        // when a resume of one account's jobs of a batch is sent twice with the same id (the batch is not known yet)
        final String[] resume = {"batch", "resume", "--batch", "ctl-retried", "--account", "ctl-acct-2",
            "--command-id", "ops-ticket-42", "--allow-unknown"};
        final CliRun first = cli(resume);
        final CliRun again = cli(resume);

        // then both records carry that id (the pipeline applies it once), the account, and the OS user by default
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(controlFor("ctl-retried")).hasSize(2).allSatisfy(r -> {
            assertThat(r.value().getCommandId()).isEqualTo("ops-ticket-42");
            assertThat(r.value().getAction()).isEqualTo(ControlAction.RESUME);
            assertThat(r.value().getAccountId()).isEqualTo("ctl-acct-2");
            assertThat(r.value().getRequestedBy()).isEqualTo(System.getProperty("user.name"));
            assertThat(r.value().getReason()).isNull();
        });
        assertThat(first.out()).contains("command ops-ticket-42", "account ctl-acct-2's jobs only");
    }

    @Test
    void shouldWarnWhatItDoesAndSendACancelWhenABatchIsCancelled(@TempDir final Path dir) throws Exception {
        // given
        submitted(dir, "ctl-cancel", "ctl-acct-3");

        // when
        final CliRun cancel = cli("batch", "cancel", "--batch", "ctl-cancel", "--reason", "wrong masters");

        // then
        assertThat(cancel.exit()).as(cancel.err()).isZero();
        assertThat(cancel.err()).contains("warning", "CANCELLED", "releases its credit reservation", "stays cancelled",
                "jobs already at the provider finish and are charged");
        assertThat(controlFor("ctl-cancel")).singleElement().satisfies(r -> {
            assertThat(r.value().getAction()).isEqualTo(ControlAction.CANCEL);
            assertThat(r.value().getScope()).isEqualTo(ControlScope.BATCH);
        });
    }

    @Test
    void shouldExitWith4AndSendNothingWhenTheBatchOrAccountIsUnknown() {
        // when
        final CliRun batch = cli("batch", "cancel", "--batch", "ctl-no-such-batch");
        final CliRun account = cli("account", "pause", "--account", "ctl-no-such-account");

        // then
        assertThat(batch.exit()).as(batch.err()).isEqualTo(CliException.NOT_FOUND);
        assertThat(batch.err()).contains("stemflow knows no batch ctl-no-such-batch", "nothing sent", "--allow-unknown")
                .doesNotContain("warning");
        assertThat(account.exit()).as(account.err()).isEqualTo(CliException.NOT_FOUND);
        assertThat(controlFor("ctl-no-such-batch")).isEmpty();
        assertThat(controlFor("ctl-no-such-account")).isEmpty();
    }

    @Test
    void shouldSendAccountScopedCommandsWhenTheAccountIsKnown() {
        // given an account the query API knows
        assertThat(cli("credits", "grant", "--account", "ctl-acct-4", "--credits", "100").exit()).isZero();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(cli("credits", "show", "--account", "ctl-acct-4").exit()).isZero());

        // when
        final CliRun pause = cli("account", "pause", "--account", "ctl-acct-4", "--by", "ops");
        final CliRun cancel = cli("account", "cancel", "--account", "ctl-acct-4", "--by", "ops");
        final CliRun resume = cli("account", "resume", "--account", "ctl-acct-4", "--by", "ops");

        // then
        assertThat(List.of(pause, cancel, resume)).allSatisfy(r -> assertThat(r.exit()).as(r.err()).isZero());
        assertThat(cancel.err()).contains("warning", "account ctl-acct-4", "left paused",
                "jobs already at the provider finish and are charged");
        final List<ConsumerRecord<String, ControlCommand>> sent = controlFor("ctl-acct-4");
        assertThat(sent).extracting(r -> r.value().getAction())
                .containsExactly(ControlAction.PAUSE, ControlAction.CANCEL, ControlAction.RESUME);
        assertThat(sent).allSatisfy(r -> {
            assertThat(r.key()).isEqualTo("ctl-acct-4");
            assertThat(r.value().getScope()).isEqualTo(ControlScope.ACCOUNT);
            assertThat(r.value().getAccountId()).isNull();
            assertThat(r.value().getRequestedBy()).isEqualTo("ops");
        });
        assertThat(sent).extracting(r -> r.value().getCommandId()).doesNotHaveDuplicates();
    }

    @Test
    void shouldWriteTheShareAndKeepTheCapUnlessToldWhenSettingAnAccountsShare() {
        // when the share is set, then its weight changed alone, then its cap removed
        final CliRun capped = cli("account", "share", "--account", "ctl-share", "--weight", "5", "--cap", "30/10s",
                "--by", "ops", "--reason", "label deal");
        final CliRun reweighted = cli("account", "share", "--account", "ctl-share", "--weight", "7", "--by", "ops");
        final CliRun uncapped = cli("account", "share", "--account", "ctl-share", "--weight", "7", "--no-cap", "--by", "ops");

        // then three records keyed by the account, the second keeping the cap
        assertThat(List.of(capped, reweighted, uncapped)).allSatisfy(r -> assertThat(r.exit()).as(r.err()).isZero());
        final List<ConsumerRecord<String, AccountShare>> shares = records(TopicNames.ACCOUNT_SHARES, AccountShare.class)
                .stream().filter(r -> "ctl-share".equals(r.key())).toList();
        assertThat(shares).hasSize(3);
        assertThat(shares.get(0).value()).satisfies(s -> {
            assertThat(s.getAccountId()).isEqualTo("ctl-share");
            assertThat(s.getWeight()).isEqualTo(5);
            assertThat(s.getCapCalls()).isEqualTo(30);
            assertThat(s.getCapWindowMillis()).isEqualTo(10_000L);
            assertThat(s.getSetBy()).isEqualTo("ops");
            assertThat(s.getReason()).isEqualTo("label deal");
            assertThat(s.getSetAt()).isNotNull();
        });
        assertThat(shares.get(1).value()).satisfies(s -> {
            assertThat(s.getWeight()).isEqualTo(7);
            assertThat(s.getCapCalls()).isEqualTo(30);
            assertThat(s.getCapWindowMillis()).isEqualTo(10_000L);
            assertThat(s.getReason()).isNull();
        });
        assertThat(shares.get(2).value()).satisfies(s -> {
            assertThat(s.getCapCalls()).isNull();
            assertThat(s.getCapWindowMillis()).isNull();
        });
        assertThat(capped.out()).contains("weight 5, at most 30 calls per 10s", "was weight 1, no cap (the default)");
        assertThat(reweighted.out()).contains("weight 7, at most 30 calls per 10s", "was weight 5");
    }

    @Test
    void shouldListTheLatestShareOfEachAccountWhenAskedForShares() {
        // given
        assertThat(cli("account", "share", "--account", "ctl-list-a", "--weight", "2", "--by", "ops").exit()).isZero();
        assertThat(cli("account", "share", "--account", "ctl-list-b", "--weight", "9", "--cap", "100/1m", "--by", "ops",
                "--reason", "overnight run").exit()).isZero();
        assertThat(cli("account", "share", "--account", "ctl-list-a", "--weight", "3", "--by", "ops").exit()).isZero();

        // when
        final CliRun list = cli("account", "shares");

        // then
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).containsPattern("ctl-list-a\\s+3\\s+no cap\\s+ops")
                .containsPattern("ctl-list-b\\s+9\\s+at most 100 calls per 1m\\s+ops\\s+\\S+\\s+overnight run")
                .doesNotContainPattern("ctl-list-a\\s+2\\s")
                .contains("Accounts not listed have weight 1 and no cap.");
    }

    private static List<ConsumerRecord<String, ControlCommand>> controlFor(final String target) {
        return records(TopicNames.CONTROL, ControlCommand.class).stream().filter(r -> target.equals(r.key())).toList();
    }

    /** Every record of {@code topic} as it is now, values decoded with the Avro serde. */
    private static <V extends SpecificRecord> List<ConsumerRecord<String, V>> records(final String topic,
                                                                                      final Class<V> type) {
        final Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.info().bootstrapServers());
        final List<ConsumerRecord<String, V>> found = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                AvroSerdes.specific(type, Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, stack.info().schemaRegistryUrl()),
                        false).deserializer())) {
            TopicSnapshot.read(consumer, topic, Duration.ofSeconds(30), found::add);
        }
        found.sort(java.util.Comparator.comparing(ConsumerRecord::timestamp));
        return found;
    }
}
