package io.stemflow.cli;

import io.stemflow.avro.CreditBalance;
import io.stemflow.avro.CreditGrant;
import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.kafka.TopicSnapshot;
import io.stemflow.localstack.StackInfo;
import io.stemflow.schemas.ProviderCosts;
import io.stemflow.schemas.Topic;
import io.stemflow.schemas.Topics;
import io.stemflow.serde.registry.RegistryConnection;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
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
            "With --baseline it also reconciles the provider's credit balance with stemflow's records: when the "
                + "file does not exist it writes the provider's balance and the end offsets of separation-submissions, "
                + "credit-ledger and separation-dlq there (owner-only), and when it exists it compares the credits the provider spent "
                + "since then with the captures on credit-ledger since then.",
            "The difference is explained attempt by attempt (accepted by the provider and not captured yet, "
                + "released after the provider charged it, captured but charged before the baseline, or submitted "
                + "again after the active gateway died before committing the provider's answer: a TASK_MISMATCH "
                + "result for a task with no ACCEPTED submission), and the reconciliation is broken when the jobs do "
                + "not explain all of it. Such a resubmitted task whose callback was lost is known to nobody and "
                + "shows as unexplained.",
            "Top-ups of the provider account since the baseline show as an unexplained difference: take the "
                + "baseline again after a top-up.",
            "The provider's URL and API key are taken from the options, else STEMFLOW_PROVIDER_API_KEY_FILE for the "
                + "key, else a running local stack's emulator; the key is never printed.",
            "A deployment too big for the heap is audited in passes over the same snapshot, each keeping a slice "
                + "of the jobs: --passes N, or by default as many as the heap needs at about 60 bytes per status "
                + "record (about 250 bytes per job)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every invariant holds", "1:an invariant is broken (the report names the jobs or accounts), or the "
                + "provider's spending since the baseline differs from the ledger by more than the jobs explain",
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

    @Option(names = "--baseline", paramLabel = "FILE",
            description = "Reconcile the provider's balance with the records since this baseline; the file is written "
                    + "when it does not exist.")
    private Path baseline;

    @Option(names = "--provider-url", paramLabel = "URL",
            description = "The provider's base URL (default: a running local stack's emulator).")
    private String providerUrl;

    @Option(names = "--provider-api-key-file", paramLabel = "FILE",
            description = "A file holding the provider's API key (default: $STEMFLOW_PROVIDER_API_KEY_FILE, else a "
                    + "running local stack's emulator key).")
    private Path providerApiKeyFile;

    @Option(names = "--passes", defaultValue = "0", paramLabel = "N",
            description = "Read the snapshot N times, keeping a slice of the jobs each time, so that the heap holds "
                    + "a slice only; 0 picks as many as this JVM's maximum heap needs (default: ${DEFAULT-VALUE}).")
    private int passes;

    @Option(names = "--no-progress", description = "No progress line on standard error, even on a terminal.")
    private boolean noProgress;

    /** How a topic's raw values are decoded and handed to the audit. */
    private record Feed<V>(Topic<String, V> topic, BiConsumer<String, V> into, Positioned<V> positioned) {

        Feed(final Topic<String, V> topic, final BiConsumer<String, V> into) {
            this(topic, into, null);
        }

        void accept(final ConsumerRecord<String, byte[]> r) {
            final V value = r.value() == null ? null
                    : topic.valueSerde().deserializer().deserialize(r.topic(), r.headers(), r.value());
            into.accept(r.key(), value);
            if (positioned != null && value != null) {
                positioned.accept(r.partition(), r.offset(), value);
            }
        }
    }

    /** Hands non-null values to {@code each} (a null value is a tombstone: nothing to audit). */
    private static <V> BiConsumer<String, V> values(final Consumer<V> each) {
        return (key, value) -> {
            if (value != null) {
                each.accept(value);
            }
        };
    }

    /** A record's value with its partition and offset. */
    private interface Positioned<V> {
        void accept(int partition, long offset, V value);
    }

    @Override
    public Integer call() {
        if (passes < 0) {
            throw new CliException(CommandLine.ExitCode.USAGE, "--passes must be 0 (as many as the heap needs) or "
                    + "more, was " + passes);
        }
        if (maxExamples < 0) {
            throw new CliException(CommandLine.ExitCode.USAGE, "--max-examples must be 0 or more, was " + maxExamples);
        }
        if (baseline == null && (providerUrl != null || providerApiKeyFile != null)) {
            throw new CliException(CommandLine.ExitCode.USAGE, "--provider-url and --provider-api-key-file are for "
                    + "the reconciliation with --baseline FILE");
        }
        final PrintWriter out = spec.commandLine().getOut();
        final ProviderBalance provider = baseline == null ? null : providerBalance();
        if (provider != null && !Files.exists(baseline)) {
            final AuditBaseline taken = takeBaseline(provider);
            taken.write(baseline);
            out.printf("Baseline written to %s: provider balance %d at %s; the next audit with --baseline %s "
                    + "reconciles from here.%n", baseline, taken.balance(), taken.takenAt(), baseline);
            out.flush();
            return 0;
        }
        final AuditBaseline base = provider == null ? null : AuditBaseline.read(baseline);
        final DeploymentAudit audit = new DeploymentAudit(maxExamples, separateVocalCost, splitStemCost);
        final Topics topics = topics();
        final Map<String, Feed<?>> jobFeeds = new HashMap<>();
        jobFeeds.put(topics.status().name(), new Feed<>(topics.status(), values(audit::onStatus)));
        jobFeeds.put(topics.stems().name(), new Feed<>(topics.stems(), values(audit::onStem)));
        jobFeeds.put(topics.creditLedger().name(), new Feed<>(topics.creditLedger(), values(audit::onLedger)));
        jobFeeds.put(topics.deadLetters().name(), new Feed<>(topics.deadLetters(), values(audit::onDeadLetter)));
        final Map<String, Feed<?>> feeds = new HashMap<>(jobFeeds);
        final ProviderReconciliation reconciliation = base == null ? null
                : new ProviderReconciliation(base.offsets(topics.submissions().name()),
                        base.offsets(topics.creditLedger().name()),
                        base.endOffsets().get(topics.deadLetters().name()));
        if (reconciliation != null) {
            feeds.put(topics.creditLedger().name(), new Feed<>(topics.creditLedger(), values(audit::onLedger),
                    reconciliation::onLedger));
            feeds.put(topics.submissions().name(), new Feed<SubmissionOutcome>(topics.submissions(), (k, v) -> { },
                    reconciliation::onSubmission));
            feeds.put(topics.deadLetters().name(), new Feed<>(topics.deadLetters(), values(audit::onDeadLetter),
                    reconciliation::onDeadLetter));
        }
        feeds.put(topics.creditGrants().name(), new Feed<CreditGrant>(topics.creditGrants(), (k, v) -> {
            if (v != null) {
                audit.onGrant(k, v);
            }
        }));
        feeds.put(topics.creditBalances().name(), new Feed<CreditBalance>(topics.creditBalances(), audit::onBalance));
        // one snapshot for every pass: the end offsets now
        final Map<String, Map<Integer, Long>> snapshot = snapshot(feeds.keySet());
        final int n = passes > 0 ? passes : passesFor(snapshot.get(topics.status().name()));
        long records = 0;
        for (int pass = 0; pass < n; pass++) {
            audit.beginPass(new DeploymentAudit.Slice(pass, n));
            // the first pass reads every topic; the others only what their slice of the jobs needs
            final Map<String, Feed<?>> read = pass == 0 ? feeds : jobFeeds;
            final Map<String, Map<Integer, Long>> ends = new HashMap<>(snapshot);
            ends.keySet().retainAll(read.keySet());
            final long r = read(read, ends, audit, n == 1 ? "" : String.format("pass %d of %d: ", pass + 1, n));
            records = pass == 0 ? r : records;
        }
        audit.finish();
        final Runtime rt = Runtime.getRuntime();
        final long heapMiB = (rt.totalMemory() - rt.freeMemory()) / (1024 * 1024);
        out.printf("Audited %d record(s) of %d topic(s)%s: %d job(s), %d attempt(s), %d account(s); heap used %d MiB.%n",
                records, feeds.size(), n == 1 ? "" : " in " + n + " passes", audit.jobs(), audit.attempts(),
                audit.accounts(), heapMiB);
        final ProviderReconciliation.Result reconciled =
                reconciliation == null ? null : reconciliation.reconcile(base.balance(), provider.balance());
        print(out, audit, reconciled, base, provider);
        out.flush();
        return audit.holds() && (reconciled == null || reconciled.holds()) ? 0 : 1;
    }

    private void print(final PrintWriter out, final DeploymentAudit audit,
                       final ProviderReconciliation.Result reconciled, final AuditBaseline base,
                       final ProviderBalance provider) {
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
        if (reconciled != null) {
            final String title = "the provider's credits spent since the baseline equal the credits captured, "
                    + "but for what the jobs explain";
            final String summary = String.format("provider spent %d since %s (balance %d then, %d now), captured %d, "
                            + "accepted by the provider %d, difference %d, unexplained %d", reconciled.providerSpent(),
                    base.takenAt(), base.balance(), base.balance() - reconciled.providerSpent(), reconciled.captured(),
                    reconciled.acceptedCredits(), reconciled.difference(), reconciled.unexplained());
            out.printf(reconciled.holds() ? "  OK      %s: %s%n" : "  BROKEN  %s: %s%n", title, summary);
            if (base.providerUrl() != null && !base.providerUrl().equals(provider.url())) {
                out.printf("            NOTE the baseline was taken from %s, the balance now from %s%n",
                        base.providerUrl(), provider.url());
            }
            if (!reconciled.holds()) {
                out.printf("            %d credit(s) of the difference are explained by no job: charges stemflow did not "
                        + "submit, a top-up since the baseline (take it again), or captures without a charge%n",
                        reconciled.unexplained());
            }
            final List<ProviderReconciliation.Explanation> ex = reconciled.explanations();
            ex.stream().limit(maxExamples).forEach(e -> out.printf("            %+d %s%n", e.credits(), e.what()));
            if (ex.size() > maxExamples) {
                out.printf("            ... and %d more%n", ex.size() - maxExamples);
            }
        }
        final boolean holds = audit.holds() && (reconciled == null || reconciled.holds());
        out.println(holds ? "Every invariant holds." : "Some invariants are broken.");
    }

    private static void examples(final PrintWriter out, final DeploymentAudit.Findings f) {
        f.examples().forEach(e -> out.printf("            %s%n", e));
        if (f.count() > f.examples().size()) {
            out.printf("            ... and %d more%n", f.count() - f.examples().size());
        }
    }

    private record ProviderBalance(String url, long balance) {
    }

    /** The provider's balance now, from the options, the environment or the local stack. */
    private ProviderBalance providerBalance() {
        final Path stackFile = spec.findOption("--stack-file").getValue();
        final StackInfo stack = stackFile != null && Files.isRegularFile(stackFile) ? StackInfo.readFrom(stackFile)
                : null;
        final String stackUrl = stack == null ? null : stack.services().get(STACK_EMULATOR);
        final String url = providerUrl != null && !providerUrl.isBlank() ? providerUrl : stackUrl;
        if (url == null) {
            throw new CliException(CommandLine.ExitCode.USAGE, "--baseline needs the provider's URL: give "
                    + "--provider-url, or run it where a local stack runs");
        }
        final Path keyFile = providerApiKeyFile != null ? providerApiKeyFile
                : System.getenv(ENV_API_KEY_FILE) != null && !System.getenv(ENV_API_KEY_FILE).isBlank()
                        ? Path.of(System.getenv(ENV_API_KEY_FILE)) : null;
        final String key;
        if (keyFile != null) {
            try {
                key = Files.readString(keyFile).strip();
            } catch (IOException e) {
                throw new CliException(CliException.NOT_CONFIGURED, "cannot read the provider API key file " + keyFile
                        + ": " + e.getClass().getSimpleName());
            }
        } else if (stack != null && url.equals(stackUrl) && stack.credentials().get(STACK_EMULATOR_KEY) != null) {
            key = stack.credentials().get(STACK_EMULATOR_KEY);
        } else {
            throw new CliException(CommandLine.ExitCode.USAGE, "--baseline needs the provider's API key: give "
                    + "--provider-api-key-file or set " + ENV_API_KEY_FILE);
        }
        if (key.isEmpty()) {
            throw new CliException(CliException.NOT_CONFIGURED, "the provider API key file is empty");
        }
        return new ProviderBalance(url, ProviderCredit.balance(url, key, Duration.ofSeconds(30)));
    }

    private static final String STACK_EMULATOR = "provider-emulator";
    private static final String STACK_EMULATOR_KEY = "provider-emulator-api-key";
    private static final String ENV_API_KEY_FILE = "STEMFLOW_PROVIDER_API_KEY_FILE";

    /** The provider's balance (already taken) with the end offsets of the two topics now. */
    private AuditBaseline takeBaseline(final ProviderBalance provider) {
        final Topics topics = topics();
        try (KafkaConsumer<String, byte[]> consumer = snapshotConsumer()) {
            return new AuditBaseline(Instant.now(), provider.url(), provider.balance(), TopicSnapshot.endOffsets(consumer,
                    List.of(topics.submissions().name(), topics.creditLedger().name(), topics.deadLetters().name())));
        } catch (IllegalStateException | KafkaException e) {
            throw new CliException(CliException.NOT_CONFIGURED, "could not read the end offsets from "
                    + connection.bootstrapServers() + ": " + e.getMessage());
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

    /** Bytes of heap the audit keeps per status record: about 250 per job, of about 5 status records each, rounded up. */
    static final long BYTES_PER_STATUS_RECORD = 60;

    /** As many passes as keep the jobs of one in 40% of this JVM's maximum heap. */
    static int passesFor(final Map<Integer, Long> statusEnds) {
        final long records = statusEnds == null ? 0 : statusEnds.values().stream().mapToLong(Long::longValue).sum();
        final long budget = Runtime.getRuntime().maxMemory() * 2 / 5;
        return (int) Math.max(1, Math.min(1_000, (records * BYTES_PER_STATUS_RECORD + budget - 1) / budget));
    }

    /** The end offsets of {@code topics} now: the snapshot every pass reads. */
    private Map<String, Map<Integer, Long>> snapshot(final java.util.Collection<String> topics) {
        try (KafkaConsumer<String, byte[]> consumer = snapshotConsumer()) {
            return TopicSnapshot.endOffsets(consumer, topics);
        } catch (IllegalStateException | KafkaException e) {
            throw new CliException(CliException.NOT_CONFIGURED, "could not read the end offsets from "
                    + connection.bootstrapServers() + ": " + e.getMessage());
        }
    }

    /** Reads every feed's topic to the snapshot's end offsets; returns how many records were read. */
    private long read(final Map<String, Feed<?>> feeds, final Map<String, Map<Integer, Long>> ends,
                      final DeploymentAudit audit, final String pass) {
        final LiveLines progress = new LiveLines(spec.commandLine().getErr(), true, Terminal::width);
        final boolean showProgress = !noProgress && Terminal.redraws();
        final Instant[] nextProgress = {Instant.now()};
        try (KafkaConsumer<String, byte[]> consumer = snapshotConsumer()) {
            final long read = TopicSnapshot.read(consumer, ends, timeout, r -> {
                try {
                    feeds.get(r.topic()).accept(r);
                } catch (RuntimeException e) {
                    audit.onUndecodable(r.topic(), r.partition(), r.offset(), e.getClass().getSimpleName() + ": "
                            + e.getMessage());
                }
            }, (done, total) -> {
                if (showProgress && !Instant.now().isBefore(nextProgress[0])) {
                    progress.draw(List.of(String.format("%sread %,d of %,d records", pass, done, total)));
                    nextProgress[0] = Instant.now().plus(PROGRESS_EVERY);
                }
            });
            if (showProgress) {
                progress.draw(List.of(String.format("%sread %,d records", pass, read)));
            }
            return read;
        } catch (IllegalStateException | KafkaException e) {
            throw new CliException(CliException.NOT_CONFIGURED, "could not read the topics from "
                    + connection.bootstrapServers() + ": " + e.getMessage());
        }
    }

    /** A read_committed consumer of raw values, for snapshots (no group, no commits). */
    private KafkaConsumer<String, byte[]> snapshotConsumer() {
        final Map<String, Object> c = new HashMap<>(connection.kafkaClient());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        c.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
