package io.stemflow.localstack;

import io.stemflow.kafka.KafkaClientSecurity;
import io.stemflow.avro.CreditBalance;
import io.stemflow.serde.registry.RegistryAuth;
import io.stemflow.serde.registry.RegistryConnection;
import io.stemflow.avro.CreditGrant;
import io.stemflow.avro.JobState;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.LedgerEntry;
import io.stemflow.avro.Priority;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemReady;
import io.stemflow.kafka.TopicSnapshot;
import io.stemflow.schemas.ProviderCosts;
import io.stemflow.schemas.Contract;
import io.stemflow.schemas.TopicNames;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.serde.AvroSerializer;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
    private final RegistryConnection registry;
    private final Settings settings;
    private final Clock clock;
    private final Supplier<String> providerLine;
    private final KafkaClientSecurity security;

    /**
     * @param providerLine one line about the provider for the progress display (e.g. its request rate
     *                     against the limit), or null
     */
    public Demo(final String bootstrap, final String registryUrl, final Settings settings, final Clock clock,
                final Supplier<String> providerLine) {
        this(bootstrap, registryUrl, settings, clock, providerLine, KafkaClientSecurity.none());
    }

    /** As above, with the Kafka client security of the principal the demo runs as (the operator on a secure stack). */
    public Demo(final String bootstrap, final String registryUrl, final Settings settings, final Clock clock,
                final Supplier<String> providerLine, final KafkaClientSecurity security) {
        this(bootstrap, RegistryConnection.of(registryUrl), settings, clock, providerLine, security);
    }

    private Demo(final String bootstrap, final RegistryConnection registry, final Settings settings, final Clock clock,
                 final Supplier<String> providerLine, final KafkaClientSecurity security) {
        this.security = java.util.Objects.requireNonNull(security, "security");
        this.bootstrap = bootstrap;
        this.registry = registry;
        this.settings = settings;
        this.clock = clock;
        this.providerLine = providerLine;
    }

    public Summary run(final PrintWriter out) throws Exception {
        // Avro 1.12 loads the generated enum of a field left at its default (priority) reflectively: trust them
        Contract.trustGeneratedClasses();
        final Instant start = clock.instant();
        final String batch = settings.batchId();
        final List<SeparationRequest> requests = catalogue(batch);
        final BatchTally tally = new BatchTally(batch, requests);

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

            final DemoProgress progress = new DemoProgress(clock, providerLine);
            boolean toppedUp = false;
            final Instant deadline = start.plus(settings.timeout());
            while (clock.instant().isBefore(deadline)) {
                tally.read(status.poll(), stems.poll(), ledger.poll());
                if (!toppedUp && tally.ended() >= requests.size() / 2) {
                    topUp(producer, batch, requests, out);
                    toppedUp = true;
                }
                progress.show(tally, out);
                if (tally.allEnded()) {
                    break;
                }
            }
            return DemoReport.settle(tally, ledger::poll, this::latestBalances, clock, start);
        }
    }

    /** Prints a summary and where to look next. */
    public static void print(final Summary s, final StackInfo info, final PrintWriter out) {
        DemoReport.print(s, info, out);
    }

    /** Grants the tight account what all its jobs cost, once half the jobs have ended. */
    private void topUp(final KafkaProducer<String, SpecificRecord> producer, final String batch,
                       final List<SeparationRequest> requests, final PrintWriter out) throws Exception {
        final long need = requests.stream().filter(r -> r.getAccountId().equals(SOUTH))
                .mapToLong(r -> ProviderCosts.of(r.getType())).sum();
        send(producer, TopicNames.CREDIT_GRANTS, SOUTH, new CreditGrant(batch + "-south-top-up", SOUTH, need,
                "demo top-up", clock.instant()));
        out.printf("  -> half the jobs are done: topping %s up with %d credits%n", SOUTH, need);
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
                    .setPriority(Priority.NORMAL)
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

    /**
     * Runs with these schema registry credentials (the demo registers its records' schemas: a writer or admin);
     * none by default.
     */
    public Demo withRegistryAuth(final RegistryAuth auth) {
        return new Demo(bootstrap, registry.withAuth(auth), settings, clock, providerLine, security);
    }

    private KafkaProducer<String, SpecificRecord> producer() {
        final Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        security.applyTo(p);
        return new KafkaProducer<>(p, new StringSerializer(),
                new AvroSerializer<>(new RestSchemaRegistryClient(registry.clientConfig())));
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
        security.applyTo(c);
        final Deserializer<T> values = AvroSerdes.specific(type, registry.serdeConfig(), false)
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
