package io.stemflow.pipeline.topology;

import io.stemflow.avro.AccountShare;
import io.stemflow.avro.ControlAction;
import io.stemflow.avro.ControlCommand;
import io.stemflow.avro.CreditGrant;
import io.stemflow.avro.Priority;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.kafka.JsonSerde;
import io.stemflow.schemas.Topic;
import io.stemflow.schemas.TopicNames;
import io.stemflow.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.BranchedKStream;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * stemflow's Kafka Streams topology, as a pure function of its configuration and serdes: it opens
 * no connection and starts nothing.
 *
 * <pre>
 * separation-requests ─(repartition by requestId)─┐
 * separation-submissions┤                      ┌─> separation-admitted, separation-status,
 * separation-results ──┤─> job lifecycle ─────┤   separation-stems, separation-dlq,
 * job-decisions ───────┘   (key requestId)     │   separation-reconcile
 *        ^                                     └─> credit-commands (key accountId)
 *        │                                                │
 *        └──── credit accounts (key accountId) <──────────┘ <── credit-grants
 *                   └─> credit-ledger, credit-balances, separation-dlq (bad grants)
 * separation-status ─> (repartition by batchId) ─> batch-counts
 * </pre>
 */
public final class PipelineTopology {

    /** Processor and step names (stable: they name internal topics and appear in metrics). */
    static final String JOB_LIFECYCLE = "job-lifecycle";
    static final String CREDIT_ACCOUNTS = "credit-accounts";
    static final String SCHEDULER = "scheduler";

    private PipelineTopology() {
    }

    public static Topology build(final TopologyConfig config, final Topics topics, final TopologyMetrics metrics) {
        final StreamsBuilder builder = new StreamsBuilder();
        final Serde<String> keys = Serdes.String();
        final Serde<CreditCommand> commandSerde = JsonSerde.of(CreditCommand.class);
        final Serde<JobDecision> decisionSerde = JsonSerde.of(JobDecision.class);
        final Serde<QueueEvent> queueSerde = JsonSerde.of(QueueEvent.class);
        final Serde<ScheduleEvent> scheduleSerde = JsonSerde.of(ScheduleEvent.class);

        // ---- job lifecycle, keyed by requestId ----
        // Requests and grants come from other teams' producers, whose partitioner may not be Kafka's
        // murmur2 (kcat's default is not): re-key them through our own repartition topics, so every
        // request lands in the task that will get its decisions, outcomes and results.
        // Every input other teams produce to is screened first (InputRule): tombstones, missing keys and
        // oversized records are decided there, and every record carries its origin on.
        // The screen stamps each record's place in the work order (WorkOrder), and each class of request
        // travels on a repartition topic of its own, so the job lifecycle takes INTERACTIVE requests before
        // NORMAL and BULK ones, and events about jobs it has before any new request.
        final Map<String, KStream<String, SeparationRequest>> byClass = screened(builder, topics.requests(),
                "requests", InputRule.requests(), (v, now) -> WorkOrder.newRequest(WorkOrder.classOf(v), now),
                topics, metrics)
                .split(Named.as("requests-class-"))
                .branch((k, v) -> WorkOrder.classOf(v) == Priority.INTERACTIVE, Branched.as("interactive"))
                .branch((k, v) -> WorkOrder.classOf(v) == Priority.BULK, Branched.as("bulk"))
                .defaultBranch(Branched.as("normal"));
        // Big runs come on a topic of their own, so they never hold up separation-requests: all BULK.
        final KStream<String, SeparationRequest> bulkIntake = screened(builder, topics.requestsBulk(),
                "requests-bulk", InputRule.requests(), (v, now) -> WorkOrder.newRequest(Priority.BULK, now),
                topics, metrics)
                .mapValues(PipelineTopology::asBulk, Named.as("as-bulk"));
        final KStream<String, JobEvent> requests = byId(byClass.get("requests-class-interactive"),
                StoreNames.INTERACTIVE_REQUESTS_REPARTITION, topics.requests().valueSerde())
                .merge(byId(byClass.get("requests-class-normal"), StoreNames.REQUESTS_BY_ID_REPARTITION,
                        topics.requests().valueSerde()), Named.as("merge-normal-requests"))
                .merge(byId(byClass.get("requests-class-bulk"), StoreNames.BULK_REQUESTS_REPARTITION,
                        topics.requests().valueSerde()), Named.as("merge-bulk-requests"))
                .merge(byId(bulkIntake, StoreNames.BULK_INTAKE_REPARTITION, topics.requests().valueSerde()),
                        Named.as("merge-bulk-intake"))
                .mapValues(v -> (JobEvent) new JobEvent.Requested(v), Named.as("wrap-requests"));
        final KStream<String, JobEvent> outcomes = byId(screened(builder, topics.submissions(), "submissions",
                InputRule.submissions(), followUp(), topics, metrics), StoreNames.SUBMISSIONS_REPARTITION,
                topics.submissions().valueSerde())
                .mapValues(v -> (JobEvent) new JobEvent.Outcome(v), Named.as("wrap-submissions"));
        final KStream<String, JobEvent> results = byId(screened(builder, topics.results(), "results",
                InputRule.results(), followUp(), topics, metrics), StoreNames.RESULTS_REPARTITION,
                topics.results().valueSerde())
                .mapValues(v -> (JobEvent) new JobEvent.Result(v), Named.as("wrap-results"));
        final KStream<String, JobEvent> decisions = builder
                .stream(TopicNames.JOB_DECISIONS, Consumed.with(keys, decisionSerde).withName("read-decisions"))
                .mapValues(v -> (JobEvent) new JobEvent.Decided(v), Named.as("wrap-decisions"));
        final KStream<String, JobEvent> scheduled = builder
                .stream(TopicNames.JOB_SCHEDULE, Consumed.with(keys, scheduleSerde).withName("read-schedule"))
                .mapValues(v -> (JobEvent) new JobEvent.Scheduled(v), Named.as("wrap-schedule"));

        final BranchedKStream<String, JobOutput> jobOutput = requests
                .merge(outcomes, Named.as("merge-submissions"))
                .merge(results, Named.as("merge-results"))
                .merge(decisions, Named.as("merge-decisions"))
                .merge(scheduled, Named.as("merge-schedule"))
                .process(jobLifecycle(config, metrics), Named.as(JOB_LIFECYCLE))
                .split(Named.as("route-job-"));
        route(jobOutput, JobOutput.Admitted.class, JobOutput.Admitted::value, topics.admitted(), "admitted",
                "as-admitted", "write-admitted");
        route(jobOutput, JobOutput.Status.class, JobOutput.Status::value, topics.status(), "status",
                "as-status", "write-status");
        route(jobOutput, JobOutput.Stem.class, JobOutput.Stem::value, topics.stems(), "stems",
                "as-stem", "write-stems");
        route(jobOutput, JobOutput.Dead.class, JobOutput.Dead::value, topics.deadLetters(), "dead-letters",
                "as-job-dead-letter", "write-job-dead-letters");
        route(jobOutput, JobOutput.Reconcile.class, JobOutput.Reconcile::value, topics.reconcile(), "reconcile",
                "as-reconcile", "write-reconcile");
        for (final Priority lane : LANES) {
            final String suffix = lane.name().toLowerCase(java.util.Locale.ROOT);
            routeLane(jobOutput, JobOutput.Command.class, c -> c.lane() == lane, JobOutput.Command::value,
                    new Topic<>(TopicNames.lane(TopicNames.CREDIT_COMMANDS, lane), keys, commandSerde),
                    "commands-" + suffix, "as-command-" + suffix, "write-credit-commands-" + suffix);
            routeLane(jobOutput, JobOutput.Queue.class, q -> q.lane() == lane, JobOutput.Queue::value,
                    new Topic<>(TopicNames.lane(TopicNames.JOB_QUEUE, lane), keys, queueSerde),
                    "queue-" + suffix, "as-queue-event-" + suffix, "write-job-queue-" + suffix);
        }
        jobOutput.noDefaultBranch();

        // ---- the scheduler: one task over the whole queue ----
        final KStream<String, QueueEvent.Control> controls = screened(builder, topics.control(), "control",
                InputRule.control(), followUp(), topics, metrics)
                .mapValues(PipelineTopology::controlEvent, Named.as("as-control-event"));
        controls.mapValues(c -> (QueueEvent) c, Named.as("as-queue-control"))
                .to(TopicNames.JOB_QUEUE, Produced.with(keys, queueSerde).withName("write-control"));
        // A cancel reaches the accounts too, where jobs waiting for credits are ended at once: the named
        // account's partition, or every partition for a whole batch (any account may hold its jobs).
        controls.filter((k, c) -> c.action() == ControlAction.CANCEL, Named.as("only-cancels"))
                .map((k, c) -> {
                    final CreditCommand cancel = CreditCommand.cancel(c);
                    return KeyValue.pair(cancel.accountId() == null ? cancel.batchId() : cancel.accountId(), cancel);
                }, Named.as("as-credit-cancel"))
                .to(TopicNames.lane(TopicNames.CREDIT_COMMANDS, Priority.INTERACTIVE),
                        Produced.with(keys, commandSerde).withName("write-credit-cancels")
                                .withStreamPartitioner(PipelineTopology::cancelPartitions));
        screened(builder, topics.accountShares(), "shares", InputRule.shares(), followUp(), topics, metrics)
                .mapValues(PipelineTopology::shareEvent, Named.as("as-share-event"))
                .to(TopicNames.JOB_QUEUE, Produced.with(keys, queueSerde).withName("write-shares"));
        // Its lanes have one partition each, so they are read by one task, which takes the fast lane's
        // records first (their stamps are older): freed slots and commands never wait behind a backlog.
        lanes(builder, TopicNames.JOB_QUEUE, queueSerde, "job-queue")
                .process(scheduler(config, metrics), Named.as(SCHEDULER))
                .to(TopicNames.JOB_SCHEDULE, Produced.with(keys, scheduleSerde).withName("write-schedule"));

        // ---- credit accounts, keyed by accountId ----
        final KStream<String, AccountEvent> grants = screened(builder, topics.creditGrants(), "grants",
                InputRule.grants(), followUp(), topics, metrics)
                .repartition(Repartitioned.<String, CreditGrant>as(StoreNames.GRANTS_BY_ACCOUNT_REPARTITION)
                        .withKeySerde(keys).withValueSerde(topics.creditGrants().valueSerde()))
                .mapValues(v -> (AccountEvent) new AccountEvent.Granted(v), Named.as("wrap-grants"));
        final KStream<String, AccountEvent> commands = lanes(builder, TopicNames.CREDIT_COMMANDS, commandSerde,
                "credit-commands")
                .mapValues(v -> (AccountEvent) new AccountEvent.Commanded(v), Named.as("wrap-commands"));

        final BranchedKStream<String, AccountOutput> accountOutput = grants
                .merge(commands, Named.as("merge-commands"))
                .process(creditAccounts(config, metrics), Named.as(CREDIT_ACCOUNTS))
                .split(Named.as("route-account-"));
        route(accountOutput, AccountOutput.Ledger.class, AccountOutput.Ledger::value, topics.creditLedger(), "ledger",
                "as-ledger-entry", "write-ledger");
        route(accountOutput, AccountOutput.Balance.class, AccountOutput.Balance::value, topics.creditBalances(),
                "balances", "as-balance", "write-balances");
        route(accountOutput, AccountOutput.Decision.class, AccountOutput.Decision::value,
                new Topic<>(TopicNames.JOB_DECISIONS, keys, decisionSerde), "decisions",
                "as-decision", "write-decisions");
        route(accountOutput, AccountOutput.Dead.class, AccountOutput.Dead::value, topics.deadLetters(),
                "dead-letters", "as-grant-dead-letter", "write-grant-dead-letters");
        accountOutput.noDefaultBranch();

        // ---- batch counts, keyed by batchId ----
        builder.stream(topics.status().name(), consumed(topics.status(), "read-status"))
                .filter((k, v) -> v.getBatchId() != null && v.getState() != v.getPreviousState(),
                        Named.as("batch-transitions"))
                .groupBy((k, v) -> v.getBatchId(),
                        Grouped.with(StoreNames.BATCH_STATUS_REPARTITION, keys, topics.status().valueSerde()))
                .aggregate(BatchTally::empty, (batch, status, tally) -> tally.apply(status),
                        Named.as("count-batch-states"),
                        Materialized.<String, BatchTally, KeyValueStore<Bytes, byte[]>>as(StoreNames.BATCH_COUNTS)
                                .withKeySerde(keys)
                                .withValueSerde(JsonSerde.of(BatchTally.class)));

        final Properties props = new Properties();
        props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        return builder.build(props);
    }

    private static ProcessorSupplier<String, JobEvent, String, JobOutput> jobLifecycle(final TopologyConfig config,
                                                                                    final TopologyMetrics metrics) {
        return new ProcessorSupplier<>() {
            @Override
            public JobLifecycleProcessor get() {
                return new JobLifecycleProcessor(config, metrics);
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return Set.of(
                        store(StoreNames.JOB_STATES, JsonSerde.of(JobRecord.class)),
                        store(StoreNames.JOB_DEADLINES, Serdes.String()));
            }
        };
    }

    private static ProcessorSupplier<String, QueueEvent, String, ScheduleEvent> scheduler(final TopologyConfig config,
                                                                                       final TopologyMetrics metrics) {
        return new ProcessorSupplier<>() {
            @Override
            public SchedulerProcessor get() {
                return new SchedulerProcessor(config, metrics);
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                // The waiting jobs and their lanes may be millions: on disk. The rest is small: in memory
                // (restored from its changelog on start).
                return Set.of(
                        store(StoreNames.QUEUE_JOBS, JsonSerde.of(QueuedJob.class)),
                        cached(store(StoreNames.QUEUE_LANES, JsonSerde.of(QueueLane.class))),
                        memoryStore(StoreNames.QUEUE_CONTROLS, JsonSerde.of(QueueControl.class)),
                        memoryStore(StoreNames.QUEUE_SHARES, JsonSerde.of(AccountShareState.class)),
                        memoryStore(StoreNames.QUEUE_HANDED, JsonSerde.of(HandedJob.class)),
                        cached(memoryStore(StoreNames.QUEUE_META, Serdes.Long())),
                        memoryStore(StoreNames.QUEUE_SWEEPS, JsonSerde.of(QueueSweep.class)));
            }
        };
    }

    /** The work lanes, fast one first: its topic is the base topic (see TopicNames#lane). */
    private static final List<Priority> LANES = List.of(Priority.INTERACTIVE, Priority.NORMAL, Priority.BULK);

    /** The lanes of an internal topic, read as one stream (one sub-topology: a task picks by timestamp). */
    private static <V> KStream<String, V> lanes(final StreamsBuilder builder, final String base, final Serde<V> serde,
                                                 final String name) {
        KStream<String, V> merged = null;
        for (final Priority lane : LANES) {
            final String suffix = lane.name().toLowerCase(java.util.Locale.ROOT);
            final KStream<String, V> one = builder.stream(TopicNames.lane(base, lane),
                    Consumed.with(Serdes.String(), serde).withName("read-" + name + "-" + suffix));
            merged = merged == null ? one : merged.merge(one, Named.as("merge-" + name + "-" + suffix));
        }
        return merged;
    }

    private static SeparationRequest asBulk(final SeparationRequest r) {
        return r.getPriority() == Priority.BULK ? r : SeparationRequest.newBuilder(r).setPriority(Priority.BULK).build();
    }

    private static <O, T extends O, V> void routeLane(final BranchedKStream<String, O> split, final Class<T> kind,
                                                      final java.util.function.Predicate<T> inLane,
                                                      final Function<T, V> unwrap, final Topic<String, V> topic,
                                                      final String branch, final String unwrapName,
                                                      final String sinkName) {
        split.branch((k, v) -> kind.isInstance(v) && inLane.test(kind.cast(v)), Branched.withConsumer(
                s -> s.mapValues(v -> unwrap.apply(kind.cast(v)), Named.as(unwrapName))
                        .to(topic.name(), produced(topic, sinkName)),
                branch));
    }

    /** The partitions a credit CANCEL goes to: its account's (as the producer would key it), or all. */
    private static Optional<Set<Integer>> cancelPartitions(final String topic, final String key,
                                                           final CreditCommand cancel, final int partitions) {
        if (cancel.accountId() != null) {
            return Optional.of(Set.of(Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8)))
                    % partitions));
        }
        return Optional.of(IntStream.range(0, partitions).boxed().collect(Collectors.toSet()));
    }

    private static QueueEvent.Control controlEvent(final ControlCommand c) {
        return new QueueEvent.Control(c.getCommandId(), c.getAction(), c.getScope(), c.getTarget(), c.getAccountId(),
                c.getRequestedBy(), c.getReason(), c.getRequestedAt().toEpochMilli());
    }

    private static QueueEvent shareEvent(final String accountId, final AccountShare s) {
        return s == null
                ? new QueueEvent.Share(accountId, 1, null, null)
                : new QueueEvent.Share(s.getAccountId(), s.getWeight(), s.getCapCalls(), s.getCapWindowMillis());
    }

    /** Re-keys a screened input through a repartition topic of its own (it keeps the screen's stamp). */
    private static <V> KStream<String, V> byId(final KStream<String, V> stream, final String name,
                                               final Serde<V> valueSerde) {
        return stream.repartition(Repartitioned.<String, V>as(name)
                .withKeySerde(Serdes.String()).withValueSerde(valueSerde));
    }

    private static <V> InputScreen.Stamp<V> followUp() {
        return (v, now) -> WorkOrder.followUp(now);
    }

    private static ProcessorSupplier<String, AccountEvent, String, AccountOutput> creditAccounts(final TopologyConfig config,
                                                                                          final TopologyMetrics metrics) {
        return new ProcessorSupplier<>() {
            @Override
            public CreditAccountsProcessor get() {
                return new CreditAccountsProcessor(config, metrics);
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return Set.of(
                        cached(store(StoreNames.CREDIT_BALANCES, JsonSerde.of(AccountState.class))),
                        store(StoreNames.CREDIT_RESERVATIONS, JsonSerde.of(Reservation.class)),
                        store(StoreNames.THROTTLED_JOBS, JsonSerde.of(CreditCommand.class)),
                        store(StoreNames.CREDIT_GRANT_IDS, Serdes.Long()),
                        store(StoreNames.CREDIT_CANCELS, Serdes.String()));
            }
        };
    }

    /**
     * One branch of a processor's sealed output: the values of type {@code kind}, unwrapped and written
     * to {@code topic}, every step named.
     */
    private static <O, T extends O, V> void route(final BranchedKStream<String, O> split, final Class<T> kind,
                                                  final Function<T, V> unwrap, final Topic<String, V> topic,
                                                  final String branch, final String unwrapName,
                                                  final String sinkName) {
        split.branch((k, v) -> kind.isInstance(v), Branched.withConsumer(
                s -> s.mapValues(v -> unwrap.apply(kind.cast(v)), Named.as(unwrapName))
                        .to(topic.name(), produced(topic, sinkName)),
                branch));
    }

    /**
     * Reads an input other teams produce to through its {@link InputScreen}: refused records go to the
     * dead-letter topic, the rest on, re-keyed as the rule says and carrying their origin in headers.
     */
    private static <V> KStream<String, V> screened(final StreamsBuilder builder, final Topic<String, V> topic,
                                                   final String name, final InputRule<V> rule,
                                                   final InputScreen.Stamp<V> stamp, final Topics topics,
                                                   final TopologyMetrics metrics) {
        final String route = "route-" + name + "-";
        final Map<String, KStream<String, Screened<V>>> branches = builder
                .stream(topic.name(), consumed(topic, "read-" + name))
                .process(() -> new InputScreen<>(topic.name(), rule, stamp, metrics), Named.as("screen-" + name))
                .split(Named.as(route))
                .branch((k, v) -> v instanceof Screened.Refused<V>, Branched.withConsumer(
                        s -> s.mapValues(v -> ((Screened.Refused<V>) v).letter(), Named.as("as-refused-" + name))
                                .to(topics.deadLetters().name(),
                                        produced(topics.deadLetters(), "write-refused-" + name)),
                        "refused"))
                .defaultBranch(Branched.as("passed"));
        return branches.get(route + "passed")
                .mapValues(v -> ((Screened.Pass<V>) v).value(), Named.as("passed-" + name));
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> store(final String name, final Serde<V> valueSerde) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), valueSerde);
    }

    /**
     * A store whose few keys change with every job (an account's balance, a lane's and the queue's counters):
     * cached, so its changelog gets a key's last value once per commit instead of one record per job (1,000,000
     * jobs of one account and one batch wrote about 4 changelog records per job to these three stores without
     * it). Reads see the cache; under exactly-once the cache is flushed in the commit's transaction.
     */
    private static <V> StoreBuilder<KeyValueStore<String, V>> cached(final StoreBuilder<KeyValueStore<String, V>> b) {
        return b.withCachingEnabled();
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> memoryStore(final String name,
                                                                           final Serde<V> valueSerde) {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), valueSerde);
    }

    private static <V> Consumed<String, V> consumed(final Topic<String, V> topic, final String name) {
        return Consumed.with(topic.keySerde(), topic.valueSerde()).withName(name);
    }

    private static <V> Produced<String, V> produced(final Topic<String, V> topic, final String name) {
        return Produced.with(topic.keySerde(), topic.valueSerde()).withName(name);
    }
}
