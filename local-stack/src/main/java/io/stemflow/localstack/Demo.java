package io.stemflow.localstack;

import io.stemflow.avro.CreditBalance;
import io.stemflow.avro.CreditGrant;
import io.stemflow.avro.JobState;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.LedgerEntry;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemReady;
import io.stemflow.kafka.TopicSnapshot;
import io.stemflow.schemas.TopicNames;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.serde.AvroSerializer;
import io.stemflow.serde.registry.RegistryClientConfig;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A sample back catalogue pushed through a running stack: tracks in both modes for two accounts,
 * one of whose budget is too small at first and is topped up halfway. Prints progress while it
 * runs and a summary at the end, read from the topics themselves.
 */
public final class Demo {

    /** What to run. */
    public record Settings(int tracks, String batchId, Duration timeout, long generousGrant, long tightGrant) {

        public Settings {
            Objects.requireNonNull(batchId, "batchId");
            if (tracks < 2) {
                throw new IllegalArgumentException("the demo needs at least 2 tracks, was " + tracks);
            }
        }

        public static Settings defaults(final Clock clock) {
            return new Settings(60, "demo-" + clock.instant().getEpochSecond(), Duration.ofMinutes(10), 10_000, 100);
        }

        public Settings withTracks(final int n) {
            return new Settings(n, batchId, timeout, generousGrant, tightGrant);
        }
    }

    /** What came out, read back from the topics. */
    public record Summary(String batchId, int jobs, Map<JobState, Long> jobsByState, Map<Stem, Long> stemsByType,
                          Map<String, CreditBalance> balances, Map<String, Long> capturedByAccount,
                          Map<String, Long> expectedSpendByAccount, boolean allTerminal, boolean ledgerBalanced,
                          Duration took) {

        public long stems() {
            return stemsByType.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    static final String NORTH = "label-north";
    static final String SOUTH = "label-south";

    private final String bootstrap;
    private final String registryUrl;
    private final Settings settings;
    private final Clock clock;
    private final Supplier<String> providerLine;

    /**
     * @param providerLine one line about the provider for the progress display (e.g. its request rate
     *                     against the limit), or null
     */
    public Demo(final String bootstrap, final String registryUrl, final Settings settings, final Clock clock,
                final Supplier<String> providerLine) {
        this.bootstrap = bootstrap;
        this.registryUrl = registryUrl;
        this.settings = settings;
        this.clock = clock;
        this.providerLine = providerLine;
    }

    public Summary run(final PrintWriter out) throws Exception {
        final Instant start = clock.instant();
        final String batch = settings.batchId();
        final List<SeparationRequest> requests = catalogue(batch);
        final Map<String, SeparationRequest> byId = new LinkedHashMap<>();
        requests.forEach(r -> byId.put(r.getRequestId(), r));

        try (Follower<JobStatus> status = new Follower<>(TopicNames.STATUS, JobStatus.class);
             Follower<StemReady> stems = new Follower<>(TopicNames.STEMS, StemReady.class);
             Follower<LedgerEntry> ledger = new Follower<>(TopicNames.CREDIT_LEDGER, LedgerEntry.class);
             KafkaProducer<String, SpecificRecord> producer = producer()) {
            out.printf("stemflow demo: batch %s, %d tracks for %s and %s (%s starts with %d credits)%n", batch,
                    requests.size(), NORTH, SOUTH, SOUTH, settings.tightGrant());
            send(producer, TopicNames.CREDIT_GRANTS, NORTH, new CreditGrant(batch + "-north", NORTH,
                    settings.generousGrant(), "demo budget", clock.instant()));
            send(producer, TopicNames.CREDIT_GRANTS, SOUTH, new CreditGrant(batch + "-south", SOUTH,
                    settings.tightGrant(), "demo budget, too small on purpose", clock.instant()));
            for (final SeparationRequest r : requests) {
                producer.send(new ProducerRecord<>(TopicNames.REQUESTS, r.getRequestId(), r));
            }
            producer.flush();

            final Map<String, JobState> latest = new HashMap<>();
            final Map<Stem, Long> stemCounts = new EnumMap<>(Stem.class);
            final Map<String, Long> captured = new HashMap<>();
            boolean toppedUp = false;
            Instant nextPrint = clock.instant();
            final Instant deadline = start.plus(settings.timeout());
            while (clock.instant().isBefore(deadline)) {
                for (final JobStatus s : status.poll()) {
                    if (byId.containsKey(s.getRequestId()) && s.getState() != s.getPreviousState()) {
                        latest.put(s.getRequestId(), s.getState());
                    }
                }
                for (final StemReady s : stems.poll()) {
                    if (byId.containsKey(s.getRequestId())) {
                        stemCounts.merge(s.getStem(), 1L, Long::sum);
                    }
                }
                for (final LedgerEntry e : ledger.poll()) {
                    if (e.getRequestId() != null && byId.containsKey(e.getRequestId())
                            && e.getKind() == io.stemflow.avro.LedgerEntryKind.CAPTURE) {
                        captured.merge(e.getAccountId(), e.getCredits(), Long::sum);
                    }
                }
                final long terminal = latest.values().stream().filter(Demo::terminal).count();
                if (!toppedUp && terminal >= requests.size() / 2) {
                    final long need = requests.stream().filter(r -> r.getAccountId().equals(SOUTH))
                            .mapToLong(r -> cost(r.getType())).sum();
                    send(producer, TopicNames.CREDIT_GRANTS, SOUTH, new CreditGrant(batch + "-south-top-up", SOUTH,
                            need, "demo top-up", clock.instant()));
                    out.printf("  -> half the jobs are done: topping %s up with %d credits%n", SOUTH, need);
                    toppedUp = true;
                }
                if (!clock.instant().isBefore(nextPrint) || terminal == requests.size()) {
                    out.println("  " + progress(latest, requests.size(), stemCounts));
                    out.flush();
                    nextPrint = clock.instant().plusSeconds(2);
                }
                if (terminal == requests.size()) {
                    break;
                }
            }
            final Map<String, Long> expected = new TreeMap<>();
            for (final SeparationRequest r : requests) {
                if (latest.get(r.getRequestId()) == JobState.COMPLETED) {
                    expected.merge(r.getAccountId(), cost(r.getType()), Long::sum);
                }
            }
            // A job's capture follows its COMPLETED status through the credit side: wait for the journal to
            // catch up (bounded), then for the published balances to settle.
            final Instant settleBy = clock.instant().plusSeconds(60);
            while (!expected.entrySet().stream().allMatch(e -> e.getValue().equals(captured.getOrDefault(e.getKey(), 0L)))
                    && clock.instant().isBefore(settleBy)) {
                for (final LedgerEntry e : ledger.poll()) {
                    if (e.getRequestId() != null && byId.containsKey(e.getRequestId())
                            && e.getKind() == io.stemflow.avro.LedgerEntryKind.CAPTURE) {
                        captured.merge(e.getAccountId(), e.getCredits(), Long::sum);
                    }
                }
            }
            Map<String, CreditBalance> balances = latestBalances();
            while (!settled(balances) && clock.instant().isBefore(settleBy)) {
                balances = latestBalances();
            }
            final Map<JobState, Long> byState = new EnumMap<>(JobState.class);
            requests.forEach(r -> byState.merge(latest.getOrDefault(r.getRequestId(), JobState.REQUESTED), 1L, Long::sum));
            final boolean allTerminal = latest.size() == requests.size()
                    && latest.values().stream().allMatch(Demo::terminal);
            boolean balanced = settled(balances) && balances.size() == 2;
            for (final Map.Entry<String, Long> e : expected.entrySet()) {
                balanced &= e.getValue().equals(captured.getOrDefault(e.getKey(), 0L));
            }
            return new Summary(batch, requests.size(), byState, stemCounts, balances, new TreeMap<>(captured), expected,
                    allTerminal, balanced, Duration.between(start, clock.instant()));
        }
    }

    /** Prints a summary and where to look next. */
    public static void print(final Summary s, final StackInfo info, final PrintWriter out) {
        out.println();
        out.printf("stemflow demo summary (batch %s, %d jobs, %s)%n", s.batchId(), s.jobs(), s.took());
        out.println("  jobs by state    : " + s.jobsByState());
        out.println("  stems by type    : " + s.stemsByType() + " (" + s.stems() + " in all)");
        for (final CreditBalance b : s.balances().values()) {
            out.printf("  balance %-11s: granted %d, available %d, reserved %d, spent %d (this batch: %d expected, %d captured)%n",
                    b.getAccountId(), b.getGranted(), b.getAvailable(), b.getReserved(), b.getSpent(),
                    s.expectedSpendByAccount().getOrDefault(b.getAccountId(), 0L),
                    s.capturedByAccount().getOrDefault(b.getAccountId(), 0L));
        }
        out.println("  every job ended  : " + (s.allTerminal() ? "yes" : "NO"));
        out.println("  ledger balances  : " + (s.ledgerBalanced() ? "yes" : "NO"));
        out.println();
        out.println("Where to look next:");
        if (info.services().containsKey("query-api")) {
            out.println("  " + info.services().get("query-api") + "/batches/" + s.batchId() + "   batch counts");
            out.println("  " + info.services().get("query-api") + "/accounts                 balances");
        }
        out.println("  topics: separation-stems, separation-status, separation-dlq, credit-ledger on " + info.bootstrapServers());
        out.println("  schemas: " + info.schemaRegistryUrl() + "/subjects");
        out.flush();
    }

    private String progress(final Map<String, JobState> latest, final int total, final Map<Stem, Long> stems) {
        final Map<JobState, Long> counts = new EnumMap<>(JobState.class);
        latest.values().forEach(s -> counts.merge(s, 1L, Long::sum));
        final StringBuilder line = new StringBuilder();
        line.append(String.format("%3d/%d done |", latest.values().stream().filter(Demo::terminal).count(), total));
        for (final JobState state : List.of(JobState.REQUESTED, JobState.THROTTLED, JobState.ADMITTED,
                JobState.SUBMITTED, JobState.RECONCILING, JobState.COMPLETED, JobState.FAILED, JobState.TIMED_OUT)) {
            final long n = counts.getOrDefault(state, 0L);
            if (n > 0) {
                line.append(' ').append(state).append(' ').append(n);
            }
        }
        line.append(" | stems ").append(stems.values().stream().mapToLong(Long::longValue).sum());
        if (providerLine != null) {
            line.append(" | ").append(providerLine.get());
        }
        return line.toString();
    }

    private List<SeparationRequest> catalogue(final String batch) {
        final List<SeparationRequest> requests = new ArrayList<>();
        for (int i = 0; i < settings.tracks(); i++) {
            final SeparationType type = i % 3 == 0 ? SeparationType.SPLIT_STEM : SeparationType.SEPARATE_VOCAL;
            requests.add(SeparationRequest.newBuilder()
                    .setRequestId(batch + "-track-" + String.format("%03d", i))
                    .setAccountId(i % 2 == 0 ? NORTH : SOUTH)
                    .setBatchId(batch)
                    .setTaskId(String.format("%014x", 0x5c79a1f0c3be8eL + i))
                    .setAudioId(String.format("audio-%04d", i))
                    .setType(type)
                    .setRequestedAt(clock.instant())
                    .setLabels(Map.of("catalogue", "demo", "track", Integer.toString(i + 1)))
                    .build());
        }
        return requests;
    }

    private Map<String, CreditBalance> latestBalances() {
        final Map<String, CreditBalance> balances = new TreeMap<>();
        try (KafkaConsumer<String, CreditBalance> consumer = consumer(CreditBalance.class)) {
            TopicSnapshot.read(consumer, TopicNames.CREDIT_BALANCES, Duration.ofSeconds(30), r -> {
                if (NORTH.equals(r.key()) || SOUTH.equals(r.key())) {
                    balances.put(r.key(), r.value());
                }
            });
        }
        return balances;
    }

    /** Every account's balance adds up, and nothing is left reserved by finished jobs. */
    private static boolean settled(final Map<String, CreditBalance> balances) {
        return balances.values().stream().allMatch(b ->
                b.getGranted() == b.getAvailable() + b.getReserved() + b.getSpent() && b.getReserved() == 0);
    }

    private static boolean terminal(final JobState s) {
        return s == JobState.COMPLETED || s == JobState.FAILED || s == JobState.TIMED_OUT;
    }

    private static long cost(final SeparationType type) {
        return type == SeparationType.SPLIT_STEM ? 50 : 10;
    }

    private KafkaProducer<String, SpecificRecord> producer() {
        final Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(p, new StringSerializer(),
                new AvroSerializer<>(new RestSchemaRegistryClient(RegistryClientConfig.of(registryUrl))));
    }

    private static void send(final KafkaProducer<String, SpecificRecord> producer, final String topic, final String key,
                             final SpecificRecord value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
    }

    private <T extends SpecificRecord> KafkaConsumer<String, T> consumer(final Class<T> type) {
        final Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        final Deserializer<T> values = AvroSerdes.specific(type, Map.of("schema.registry.url", registryUrl), false)
                .deserializer();
        return new KafkaConsumer<>(c, new StringDeserializer(), values);
    }

    /** Reads a topic from where it ended when the demo started (so only this run's records are seen). */
    private final class Follower<T extends SpecificRecord> implements AutoCloseable {
        private final KafkaConsumer<String, T> consumer;

        Follower(final String topic, final Class<T> type) {
            consumer = consumer(type);
            final List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            parts.forEach(consumer::position); // fix the positions now, before the demo produces
        }

        List<T> poll() {
            final List<T> values = new ArrayList<>();
            consumer.poll(Duration.ofMillis(100)).forEach(r -> values.add(r.value()));
            return values;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
