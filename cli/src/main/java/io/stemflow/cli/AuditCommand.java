package io.stemflow.cli;

import io.stemflow.avro.CreditBalance;
import io.stemflow.avro.CreditGrant;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.LedgerEntry;
import io.stemflow.avro.StemReady;
import io.stemflow.schemas.ProviderCosts;
import io.stemflow.schemas.Topic;
import io.stemflow.schemas.Topics;
import io.stemflow.serde.registry.RegistryConnection;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code stemflow audit}: checks a live deployment's invariants ({@link DeploymentAudit}) from a snapshot of its
 * topics: every record from the beginning up to the end offsets taken when the audit starts, committed records only.
 * A record that does not decode is counted and listed; the audit goes on.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"Checks a deployment's invariants from its topics and exits 0 only if every one holds.",
            "It reads separation-status, separation-stems, credit-ledger, credit-grants, credit-balances and "
                + "separation-dlq from the beginning to their end offsets at the start (committed records only).",
            "It checks one terminal state per job attempt, each stem once, one capture at its cost per completed "
                + "attempt, no reservation left on an ended attempt, balances equal to the ledger's fold and grants "
                + "equal to credit-grants, and a dead letter for every failed or timed-out attempt.",
            "It keeps about 250 bytes of heap per job attempt (measured: 200 to 240 bytes with 36-character request "
                + "ids), so a million jobs need about 250 MB more than the JVM's base (JAVA_OPTS=-Xmx...); records are "
                + "not kept.",
            "Jobs that end while the audit reads may show as broken on a busy deployment: audit a quiet one, or "
                + "run it again.",
            "Not yet done: the reconciliation with the provider's balance, and state on disk for deployments "
                + "too large for the heap."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every invariant holds", "1:an invariant is broken (the report names the jobs or accounts)",
            "2:bad usage", "5:no stack to talk to, or it cannot be read"})
final class AuditCommand implements Callable<Integer> {

    private static final Duration PROGRESS_EVERY = Duration.ofMillis(250);

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Mixin
    private Connection connection;

    @Option(names = "--max-examples", defaultValue = "10",
            description = "Broken cases listed per invariant; all are counted (default: ${DEFAULT-VALUE}).")
    private int maxExamples;

    @Option(names = "--separate-vocal-cost", defaultValue = "" + ProviderCosts.SEPARATE_VOCAL,
            description = "What a separate_vocal job costs in this deployment (default: ${DEFAULT-VALUE}).")
    private long separateVocalCost;

    @Option(names = "--split-stem-cost", defaultValue = "" + ProviderCosts.SPLIT_STEM,
            description = "What a split_stem job costs in this deployment (default: ${DEFAULT-VALUE}).")
    private long splitStemCost;

    @Option(names = "--timeout", defaultValue = "PT10M",
            description = "Give up when the topics are not read to their end within this time (default: "
                    + "${DEFAULT-VALUE}).")
    private Duration timeout;

    @Option(names = "--no-progress", description = "No progress line on standard error, even on a terminal.")
    private boolean noProgress;

    /** How a topic's raw values are decoded and handed to the audit. */
    private record Feed<V>(Topic<String, V> topic, BiConsumer<String, V> into) {

        void accept(final ConsumerRecord<String, byte[]> r) {
            final V value = r.value() == null ? null
                    : topic.valueSerde().deserializer().deserialize(r.topic(), r.headers(), r.value());
            into.accept(r.key(), value);
        }
    }

    @Override
    public Integer call() {
        if (maxExamples < 0) {
            throw new CliException(CommandLine.ExitCode.USAGE, "--max-examples must be 0 or more, was " + maxExamples);
        }
        final PrintWriter out = spec.commandLine().getOut();
        final DeploymentAudit audit = new DeploymentAudit(maxExamples, separateVocalCost, splitStemCost);
        final Topics topics = topics();
        final Map<String, Feed<?>> feeds = new HashMap<>();
        feeds.put(topics.status().name(), new Feed<JobStatus>(topics.status(), (k, v) -> {
            if (v != null) {
                audit.onStatus(v);
            }
        }));
        feeds.put(topics.stems().name(), new Feed<StemReady>(topics.stems(), (k, v) -> {
            if (v != null) {
                audit.onStem(v);
            }
        }));
        feeds.put(topics.creditLedger().name(), new Feed<LedgerEntry>(topics.creditLedger(), (k, v) -> {
            if (v != null) {
                audit.onLedger(v);
            }
        }));
        feeds.put(topics.creditGrants().name(), new Feed<CreditGrant>(topics.creditGrants(), (k, v) -> {
            if (v != null) {
                audit.onGrant(k, v);
            }
        }));
        feeds.put(topics.creditBalances().name(), new Feed<CreditBalance>(topics.creditBalances(), audit::onBalance));
        feeds.put(topics.deadLetters().name(), new Feed<DeadLetter>(topics.deadLetters(), (k, v) -> {
            if (v != null) {
                audit.onDeadLetter(v);
            }
        }));
        final long records = read(feeds, audit);
        audit.finish();
        final Runtime rt = Runtime.getRuntime();
        final long heapMiB = (rt.totalMemory() - rt.freeMemory()) / (1024 * 1024);
        out.printf("Audited %d record(s) of %d topic(s): %d job(s), %d attempt(s), %d account(s); heap used %d MiB.%n",
                records, feeds.size(), audit.jobs(), audit.attempts(), audit.accounts(), heapMiB);
        print(out, audit);
        out.flush();
        return audit.holds() ? 0 : 1;
    }

    private void print(final PrintWriter out, final DeploymentAudit audit) {
        for (final DeploymentAudit.Invariant i : DeploymentAudit.Invariant.values()) {
            final DeploymentAudit.Findings f = audit.findings(i);
            if (f.holds()) {
                out.printf("  OK      %s%n", i.title());
            } else {
                out.printf("  BROKEN  %s: %d case(s)%n", i.title(), f.count());
                examples(out, f);
            }
        }
        final DeploymentAudit.Findings undecodable = audit.undecodable();
        if (!undecodable.holds()) {
            out.printf("  WARNING %d record(s) did not decode and were left out of the checks%n", undecodable.count());
            examples(out, undecodable);
        }
        if (!audit.otherDeadLetters().isEmpty()) {
            out.printf("  NOTE    dead letters that are no job's failure: %s%n", audit.otherDeadLetters());
        }
        out.println(audit.holds() ? "Every invariant holds." : "Some invariants are broken.");
    }

    private static void examples(final PrintWriter out, final DeploymentAudit.Findings f) {
        f.examples().forEach(e -> out.printf("            %s%n", e));
        if (f.count() > f.examples().size()) {
            out.printf("            ... and %d more%n", f.count() - f.examples().size());
        }
    }

    private Topics topics() {
        final RegistryConnection registry = connection.registry();
        try {
            return Topics.create(new RestSchemaRegistryClient(registry.clientConfig()), registry.serdeConfig());
        } catch (IllegalArgumentException e) {
            // RegistryClientConfig's messages never show a credential
            throw new CliException(CommandLine.ExitCode.USAGE, "Bad schema registry URL: " + e.getMessage());
        }
    }

    /** Reads every feed's topic to the end offsets taken at the start; returns how many records were read. */
    private long read(final Map<String, Feed<?>> feeds, final DeploymentAudit audit) {
        final Map<String, Object> c = new HashMap<>(connection.kafkaClient());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        c.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        final LiveLines progress = new LiveLines(spec.commandLine().getErr(), true, Terminal::width);
        final boolean showProgress = !noProgress && Terminal.redraws();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            final List<TopicPartition> parts = new ArrayList<>();
            for (final String topic : feeds.keySet()) {
                final List<PartitionInfo> infos = consumer.partitionsFor(topic);
                if (infos == null || infos.isEmpty()) {
                    throw new CliException(CliException.NOT_CONFIGURED, "topic " + topic + " does not exist on "
                            + connection.bootstrapServers() + ": is this a stemflow deployment?");
                }
                infos.forEach(p -> parts.add(new TopicPartition(p.topic(), p.partition())));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            final Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            final Map<TopicPartition, Long> start = consumer.beginningOffsets(parts);
            final long total = parts.stream().mapToLong(p -> end.get(p) - start.get(p)).sum();
            final Instant deadline = Instant.now().plus(timeout);
            long read = 0;
            Instant nextProgress = Instant.now();
            List<TopicPartition> open = unfinished(consumer, parts, end);
            while (!open.isEmpty()) {
                if (Instant.now().isAfter(deadline)) {
                    throw new CliException(CliException.NOT_CONFIGURED, "could not read " + open + " to the end within "
                            + timeout);
                }
                for (final ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    final TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() >= end.get(tp)) {
                        continue; // past the snapshot
                    }
                    read++;
                    try {
                        feeds.get(r.topic()).accept(r);
                    } catch (RuntimeException e) {
                        audit.onUndecodable(r.topic(), r.partition(), r.offset(), e.getClass().getSimpleName() + ": "
                                + e.getMessage());
                    }
                }
                if (showProgress && !Instant.now().isBefore(nextProgress)) {
                    progress.draw(List.of(String.format("read %,d of %,d records", read, total)));
                    nextProgress = Instant.now().plus(PROGRESS_EVERY);
                }
                open = unfinished(consumer, parts, end);
            }
            if (showProgress) {
                progress.draw(List.of(String.format("read %,d of %,d records", read, total)));
            }
            return read;
        } catch (KafkaException e) {
            throw new CliException(CliException.NOT_CONFIGURED, "could not read the topics from "
                    + connection.bootstrapServers() + ": " + e.getMessage());
        }
    }

    private static List<TopicPartition> unfinished(final KafkaConsumer<?, ?> consumer, final List<TopicPartition> parts,
                                                   final Map<TopicPartition, Long> end) {
        return parts.stream().filter(p -> consumer.position(p) < end.get(p)).toList();
    }
}
