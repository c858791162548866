package io.stemflow.gateway;

import io.stemflow.schemas.DeadLetterHeaders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.gateway.provider.Endpoint;
import io.stemflow.gateway.provider.ProviderReply;
import io.stemflow.schemas.Topic;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.serde.RegistryFailureException;
import io.stemflow.serde.registry.InMemorySchemaRegistryClient;
import io.stemflow.serde.registry.SchemaRegistryException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The loop's invariants with Kafka's MockConsumer and MockProducer and a handler whose calls finish when the test
 * says: an offset is committed only once every earlier job of its partition has its outcome (outputs in offset
 * order, in the same transaction), and no more than the window of jobs is started and uncommitted. A record whose
 * handling throws is dead-lettered and the loop goes on; a registry failure is retried instead.
 */
class WorkLoopTest {

    private static final TopicPartition PARTITION = new TopicPartition("in", 0);
    private static final TopicPartition OTHER_PARTITION = new TopicPartition("in", 1);
    private static final Topic<String, String> OUT = new Topic<>("out", Serdes.String(), Serdes.String());
    private static final String DLQ = "dlq";
    /** Values the handler throws on: while decoding, while handling the reply, once as a registry failure. */
    private static final String DECODE_BOOM = "decode-boom";
    private static final String REPLY_BOOM = "reply-boom";
    private static final String REGISTRY_DOWN_ONCE = "registry-down-once";

    private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
    private final MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
            new ByteArraySerializer());
    private final Map<String, CountDownLatch> release = new ConcurrentHashMap<>();
    private final AtomicInteger started = new AtomicInteger();
    private final List<String> calledInOrder = new CopyOnWriteArrayList<>();
    private final AtomicInteger registryFailures = new AtomicInteger();
    private final Serde<DeadLetter> deadLetterSerde = AvroSerdes.specific(DeadLetter.class,
            new InMemorySchemaRegistryClient(), Map.of(), false);
    private final GatewayHealth health = new GatewayHealth();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private WorkLoop<String> loop;

    @AfterEach
    void stop() {
        release.values().forEach(CountDownLatch::countDown);
        if (loop != null) {
            loop.close();
        }
    }

    @Test
    void shouldCommitOnlyTheDonePrefixWhenAnEarlierJobIsStillOut() {
        // given
        start(8);
        feed("a", "b", "c");
        await().atMost(Duration.ofSeconds(5)).until(() -> started.get() == 3);

        // when: the later jobs finish first
        finish("b");
        finish("c");

        // then: nothing is committed while "a" is out
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> producer.history().isEmpty());

        // when
        finish("a");

        // then: all three, in offset order, with the offset past the last, in one transaction
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 3);
        assertThat(producer.history()).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("a-done", "b-done", "c-done");
        final List<Map<String, Map<TopicPartition, OffsetAndMetadata>>> offsets = producer.consumerGroupOffsetsHistory();
        assertThat(offsets).hasSize(2); // the takeover marker, then the jobs
        assertThat(offsets.get(1).values().iterator().next().get(PARTITION).offset()).isEqualTo(3);
        assertThat(producer.commitCount()).isEqualTo(2);
    }

    @Test
    void shouldStartNoMoreThanTheWindowWhenCallsAreSlow() {
        // given
        start(2);

        // when
        feed("a", "b", "c", "d", "e");

        // then
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> started.get() == 2);

        // when: the first finishes and is committed, one more may start
        finish("a");
        await().atMost(Duration.ofSeconds(5)).until(() -> started.get() == 3);
        assertThat(producer.history()).extracting(ProducerRecord::topic).containsExactly("out");
    }

    @Test
    void shouldDeadLetterTheRecordAndProcessTheNextWhenTheHandlerThrowsOnOne() {
        // given
        start(8);

        // when: decoding the second record throws, handling the reply of the fourth throws
        feed("a", DECODE_BOOM, "b", REPLY_BOOM, "c");
        await().atMost(Duration.ofSeconds(5)).until(() -> started.get() == 4);
        finish("a");
        finish("b");
        finish(REPLY_BOOM);
        finish("c");

        // then: the others are done, the two are dead letters naming their offsets, everything is committed
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 5);
        assertThat(producer.history()).extracting(ProducerRecord::topic)
                .containsExactly("out", DLQ, "out", DLQ, "out");
        final List<DeadLetter> letters = producer.history().stream().filter(r -> r.topic().equals(DLQ))
                .map(r -> deadLetterSerde.deserializer().deserialize(DLQ, r.value())).toList();
        assertThat(letters).extracting(DeadLetter::getKind).containsOnly(DeadLetterKind.PROCESSING_ERROR);
        assertThat(letters).extracting(DeadLetter::getSourceOffset).containsExactly(1L, 3L);
        assertThat(letters).allSatisfy(l -> {
            assertThat(l.getSourceTopic()).isEqualTo(PARTITION.topic());
            assertThat(l.getSourcePartition()).isEqualTo(PARTITION.partition());
            assertThat(l.getErrorClass()).isEqualTo(IllegalStateException.class.getName());
        });
        assertThat(letters.get(0).getReason()).contains("decoding");
        assertThat(letters.get(1).getReason()).contains("reply");
        assertThat(StandardCharsets.UTF_8.decode(letters.get(0).getPayload()).toString()).isEqualTo(DECODE_BOOM);
        final ProducerRecord<byte[], byte[]> first = producer.history().get(1);
        assertThat(header(first, DeadLetterHeaders.KIND)).isEqualTo("PROCESSING_ERROR");
        assertThat(header(first, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(PARTITION.topic());
        assertThat(header(first, DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo("0");
        assertThat(header(first, DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("1");
        assertThat(header(first, DeadLetterHeaders.ERROR_CLASS)).isEqualTo(IllegalStateException.class.getName());
        await().atMost(Duration.ofSeconds(5)).until(() -> lastCommittedOffset() == 5);
        assertThat(loop.alive()).isTrue();
        assertThat(health.report().status()).isEqualTo(GatewayHealth.Status.UP);
        assertThat(meters.get("stemflow.gateway.dead.letters").tag("loop", "test").tag("kind", "PROCESSING_ERROR")
                .counter().count()).isEqualTo(2.0);
    }

    @Test
    void shouldReadTheRecordAgainAndWriteNoDeadLetterWhenTheRegistryFailsWhileDecodingIt() {
        // given
        start(8);

        // when: the registry fails the first time the second record is decoded
        feed("a", REGISTRY_DOWN_ONCE, "b");
        finish("a");
        finish(REGISTRY_DOWN_ONCE);
        finish("b");
        await().atMost(Duration.ofSeconds(5)).until(() -> registryFailures.get() == 1);
        // (a broker serves the records again from the offset the loop seeks back to; MockConsumer must be told)
        consumer.schedulePollTask(() -> {
            consumer.addRecord(record(1, REGISTRY_DOWN_ONCE));
            consumer.addRecord(record(2, "b"));
        });

        // then: after the stall all three are done, no dead letter
        await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == 3);
        assertThat(registryFailures.get()).isEqualTo(1);
        assertThat(producer.history()).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("a-done", REGISTRY_DOWN_ONCE + "-done", "b-done");
        assertThat(loop.alive()).isTrue();
    }

    @Test
    void shouldCallTheInteractiveJobsFirstWhenBulkJobsAreBuffered() {
        // given: a window of 3; BULK jobs on one partition, consumed before INTERACTIVE ones on another
        start(3, PARTITION, OTHER_PARTITION);

        // when: all consumed in one poll
        final List<String> bulk = List.of("bulk-a", "bulk-b", "bulk-c", "bulk-d");
        final List<String> interactive = List.of("interactive-a", "interactive-b", "interactive-c");
        bulk.forEach(v -> release.put(v, new CountDownLatch(1)));
        interactive.forEach(v -> release.put(v, new CountDownLatch(1)));
        consumer.schedulePollTask(() -> {
            for (int i = 0; i < bulk.size(); i++) {
                consumer.addRecord(record(PARTITION, i, bulk.get(i)));
            }
            for (int i = 0; i < interactive.size(); i++) {
                consumer.addRecord(record(OTHER_PARTITION, i, interactive.get(i)));
            }
        });

        // then: the three calls are the INTERACTIVE jobs, and no BULK job goes while they hold the window
        await().atMost(Duration.ofSeconds(5)).until(() -> started.get() == 3);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> started.get() == 3);
        assertThat(calledInOrder).containsExactlyInAnyOrder("interactive-a", "interactive-b", "interactive-c");

        // when: one is done and committed
        finish("interactive-a");

        // then: the first BULK job follows
        await().atMost(Duration.ofSeconds(5)).until(() -> started.get() == 4);
        assertThat(calledInOrder.get(3)).isEqualTo("bulk-a");
    }

    @Test
    void shouldCommitEveryJobWhenInteractiveJobsOvertakeABulkJobOfTheirPartition() {
        // given: a window of 2 and, on one partition, a BULK job before three INTERACTIVE ones, all answered at once
        start(2);
        final List<String> values = List.of("bulk-a", "interactive-a", "interactive-b", "interactive-c");
        feed(values.toArray(String[]::new));
        values.forEach(this::finish);

        // then: an INTERACTIVE job goes first, but the BULK one is not starved of the window: everything is
        // committed (were both places taken by INTERACTIVE jobs waiting for the BULK one's commit, none would be)
        await().atMost(Duration.ofSeconds(10)).until(() -> lastCommittedOffset() == 4);
        assertThat(calledInOrder.get(0)).isEqualTo("interactive-a");
        assertThat(calledInOrder).containsExactlyInAnyOrderElementsOf(values);
        assertThat(producer.history()).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("bulk-a-done", "interactive-a-done", "interactive-b-done", "interactive-c-done");
    }

    @Test
    void shouldCallNoJobAgainWhenTheGroupRebalancesUnderATransaction() {
        // given: the next transactions fail as when the group's generation moved on under them
        start(8);
        producer.sendOffsetsToTransactionException = new CommitFailedException(
                "Transaction offset Commit failed due to consumer group metadata mismatch");
        feed("a", "b", "c");
        finish("a");
        finish("b");
        finish("c");
        await().atMost(Duration.ofSeconds(5)).until(() -> meters.find("stemflow.gateway.transactions.aborted")
                .counter() != null && meters.get("stemflow.gateway.transactions.aborted").counter().count() >= 1);

        // when: the consumer has rejoined, commits go through again
        producer.sendOffsetsToTransactionException = null;

        // then: the three outputs are written once, with the offset past them, and no job was called twice
        await().atMost(Duration.ofSeconds(5)).until(() -> lastCommittedOffset() == 3);
        assertThat(producer.history()).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("a-done", "b-done", "c-done");
        assertThat(started.get()).isEqualTo(3);
        assertThat(calledInOrder).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void shouldCallNothingWhenItsTakeoverMarkerIsNotCommittedYet() {
        // given: the takeover marker's transaction fails (as when the group's generation moved on under it: an
        // aborted one would rewind, and MockConsumer does not serve the records again)
        producer.sendOffsetsToTransactionException = new CommitFailedException("generation moved on");
        start(8, PARTITION, OTHER_PARTITION);
        feed("a", "b");

        // then: no call while the marker is not committed
        await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(3)).until(() -> started.get() == 0);
        assertThat(meters.get("stemflow.gateway.active").gauge().value()).isZero();

        // when
        producer.sendOffsetsToTransactionException = null;

        // then: the marker on every partition (at the committed offset, nothing done yet), then the calls
        await().atMost(Duration.ofSeconds(5)).until(() -> started.get() == 2);
        final Map<TopicPartition, OffsetAndMetadata> first = producer.consumerGroupOffsetsHistory().get(0).values()
                .iterator().next();
        assertThat(first).containsOnlyKeys(PARTITION, OTHER_PARTITION);
        assertThat(first.values()).allSatisfy(offset -> {
            assertThat(offset.offset()).isZero();
            assertThat(TakeoverHold.Marker.decode(offset.metadata())).hasValueSatisfying(marker -> {
                assertThat(marker.state()).isEqualTo(TakeoverHold.State.ACTIVE);
                assertThat(marker.instanceId()).isEqualTo("0");
            });
        });
    }

    @Test
    void shouldCommitTheHandoverMarkerWithItsDoneJobsWhenItsPartitionsAreRevoked() {
        // given
        start(8, PARTITION, OTHER_PARTITION);
        feed("a", "b");
        finish("a");
        await().atMost(Duration.ofSeconds(5)).until(() -> started.get() == 2);

        // when: every partition is revoked while "b" is still out, and "b" finishes meanwhile
        consumer.schedulePollTask(() -> consumer.rebalance(List.of()));
        await().atMost(Duration.ofSeconds(5)).until(() -> meters.get("stemflow.gateway.active").gauge().value() == 0);
        finish("b");

        // then: one transaction with both outputs, offsets past them and the handover marker on every partition
        await().atMost(Duration.ofSeconds(5)).until(() -> lastCommittedOffset() == 2);
        final Map<TopicPartition, OffsetAndMetadata> last = lastOffsets();
        assertThat(last).containsOnlyKeys(PARTITION, OTHER_PARTITION);
        assertThat(last.values()).extracting(o -> TakeoverHold.Marker.decode(o.metadata()).orElseThrow())
                .allSatisfy(marker -> {
                    assertThat(marker.state()).isEqualTo(TakeoverHold.State.HANDOVER);
                    assertThat(marker.quiet()).isLessThan(Duration.ofSeconds(1));
                });
        assertThat(producer.history()).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("a-done", "b-done");
        assertThat(meters.get("stemflow.gateway.active").gauge().value()).isZero();
    }

    @Test
    void shouldWriteNoHandoverMarkerWhenACallIsStillOutAtTheGraceDeadline() {
        // given
        start(8);
        feed("a");
        await().atMost(Duration.ofSeconds(5)).until(() -> started.get() == 1);

        // when: revoked while "a" stays out past the grace (1 s)
        consumer.schedulePollTask(() -> consumer.rebalance(List.of()));
        await().atMost(Duration.ofSeconds(5)).until(() -> meters.get("stemflow.gateway.active").gauge().value() == 0);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
                .until(() -> producer.consumerGroupOffsetsHistory().size() == 1);
        finish("a");

        // then: only the takeover marker was ever committed
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> producer.consumerGroupOffsetsHistory().size() == 1);
        assertThat(TakeoverHold.Marker.decode(lastOffsets().get(PARTITION).metadata()))
                .hasValueSatisfying(marker -> assertThat(marker.state()).isEqualTo(TakeoverHold.State.ACTIVE));
    }

    private Map<TopicPartition, OffsetAndMetadata> lastOffsets() {
        final List<Map<String, Map<TopicPartition, OffsetAndMetadata>>> offsets =
                producer.consumerGroupOffsetsHistory();
        return offsets.get(offsets.size() - 1).values().iterator().next();
    }

    private long lastCommittedOffset() {
        final List<Map<String, Map<TopicPartition, OffsetAndMetadata>>> offsets =
                producer.consumerGroupOffsetsHistory();
        return offsets.isEmpty() ? -1 : offsets.get(offsets.size() - 1).values().iterator().next()
                .get(PARTITION).offset();
    }

    private static String header(final ProducerRecord<byte[], byte[]> record, final String key) {
        final Header header = record.headers().lastHeader(key);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private void start(final int window, final TopicPartition... partitions) {
        final GatewayMetrics metrics = new GatewayMetrics(meters);
        final ProviderGate gate = new ProviderGate(
                new GatewayConfig.RateSettings(1000, Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO),
                new GatewayConfig.PauseSettings(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(1),
                        Duration.ofSeconds(1), Duration.ofSeconds(1)),
                System::nanoTime, Clock.systemUTC(), metrics);
        final List<TopicPartition> assigned = partitions.length == 0 ? List.of(PARTITION) : List.of(partitions);
        final Map<TopicPartition, Long> beginning = new HashMap<>();
        assigned.forEach(p -> beginning.put(p, 0L));
        consumer.updateBeginningOffsets(beginning);
        final ActiveRole role = new ActiveRole("0", "test", List.of("test"), gate,
                new TakeoverHold(Duration.ZERO, "0", Duration.ofSeconds(10), Duration.ofSeconds(1)),
                Duration.ofSeconds(2), Duration.ofSeconds(15), System::nanoTime, metrics);
        loop = new WorkLoop<>(new WorkLoop.Settings("test", List.of(PARTITION.topic()), window, 100, Duration.ZERO,
                Duration.ofSeconds(1)), consumer, () -> producer, new LatchHandler(),
                new GatewayDeadLetters(new Topic<>(DLQ, Serdes.String(), deadLetterSerde), Clock.systemUTC()), gate,
                role, System::nanoTime, metrics, health);
        consumer.schedulePollTask(() -> consumer.rebalance(assigned));
        loop.start();
    }

    private void feed(final String... values) {
        for (final String value : values) {
            release.put(value, new CountDownLatch(1));
        }
        consumer.schedulePollTask(() -> {
            long offset = 0;
            for (final String value : values) {
                consumer.addRecord(record(offset++, value));
            }
        });
    }

    private static ConsumerRecord<String, byte[]> record(final long offset, final String value) {
        return record(PARTITION, offset, value);
    }

    private static ConsumerRecord<String, byte[]> record(final TopicPartition partition, final long offset,
                                                         final String value) {
        return new ConsumerRecord<>(partition.topic(), partition.partition(), offset, value,
                value.getBytes(StandardCharsets.UTF_8));
    }

    private void finish(final String value) {
        release.get(value).countDown();
    }

    /** Calls that return when the test releases them. */
    private final class LatchHandler implements JobHandler<String> {

        @Override
        public Endpoint endpoint() {
            return Endpoint.GENERATE;
        }

        @Override
        public Intake<String> decode(final ConsumerRecord<String, byte[]> record) {
            final String value = new String(record.value(), StandardCharsets.UTF_8);
            if (value.equals(DECODE_BOOM)) {
                throw new IllegalStateException("a bug in decoding");
            }
            if (value.equals(REGISTRY_DOWN_ONCE) && registryFailures.compareAndSet(0, 1)) {
                throw new RegistryFailureException("registry unreachable",
                        new SchemaRegistryException("connection refused", 0, 0));
            }
            // dispatch classes as the submitter ranks them: interactive-* first, bulk-* last
            return new Accept<>(value, value.startsWith("interactive") ? 0 : value.startsWith("bulk") ? 2 : 1);
        }

        @Override
        public boolean mayStart(final Job<String> next, final long now) {
            return true;
        }

        @Override
        public ProviderReply<?> call(final String value) {
            calledInOrder.add(value);
            started.incrementAndGet();
            try {
                release.get(value).await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new ProviderReply.Ok<>(value, "success");
        }

        @Override
        public Step onReply(final Job<String> job, final ProviderReply<?> reply, final long now) {
            if (job.value().equals(REPLY_BOOM)) {
                throw new IllegalStateException("a bug in handling the reply");
            }
            return new Done(List.of(new Output<>(OUT, job.key, job.value() + "-done")));
        }
    }
}
