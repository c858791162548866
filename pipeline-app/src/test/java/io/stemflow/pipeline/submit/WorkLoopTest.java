package io.stemflow.pipeline.submit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stemflow.pipeline.provider.Endpoint;
import io.stemflow.pipeline.provider.ProviderReply;
import io.stemflow.schemas.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The loop's invariants with Kafka's MockConsumer and MockProducer and a handler whose calls finish when the test
 * says: an offset is committed only once every earlier job of its partition has its outcome (outputs in offset
 * order, in the same transaction), and no more than the window of jobs is started and uncommitted.
 */
class WorkLoopTest {

    private static final TopicPartition PARTITION = new TopicPartition("in", 0);
    private static final Topic<String, String> OUT = new Topic<>("out", Serdes.String(), Serdes.String());

    private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
    private final MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
            new ByteArraySerializer());
    private final Map<String, CountDownLatch> release = new ConcurrentHashMap<>();
    private final AtomicInteger started = new AtomicInteger();
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
        assertThat(offsets).hasSize(1);
        assertThat(offsets.get(0).values().iterator().next().get(PARTITION).offset()).isEqualTo(3);
        assertThat(producer.commitCount()).isEqualTo(1);
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

    private void start(final int window) {
        final GatewayMetrics metrics = new GatewayMetrics(new SimpleMeterRegistry());
        final ProviderGate gate = new ProviderGate(
                new GatewayConfig.RateSettings(1000, Duration.ofSeconds(1), 1, Duration.ZERO),
                new GatewayConfig.PauseSettings(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(1),
                        Duration.ofSeconds(1), Duration.ofSeconds(1)),
                System::nanoTime, Clock.systemUTC(), metrics);
        consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
        loop = new WorkLoop<>(new WorkLoop.Settings("test", PARTITION.topic(), window, 100, Duration.ZERO,
                Duration.ofSeconds(1)), consumer, producer, new LatchHandler(), gate, System::nanoTime, metrics,
                new GatewayHealth());
        consumer.schedulePollTask(() -> consumer.rebalance(List.of(PARTITION)));
        loop.start();
    }

    private void feed(final String... values) {
        for (final String value : values) {
            release.put(value, new CountDownLatch(1));
        }
        consumer.schedulePollTask(() -> {
            long offset = 0;
            for (final String value : values) {
                consumer.addRecord(new ConsumerRecord<>(PARTITION.topic(), PARTITION.partition(), offset++, value,
                        value.getBytes(StandardCharsets.UTF_8)));
            }
        });
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
            return new Accept<>(new String(record.value(), StandardCharsets.UTF_8));
        }

        @Override
        public boolean mayStart(final Job<String> next, final long now) {
            return true;
        }

        @Override
        public ProviderReply<?> call(final String value) {
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
            return new Done(List.of(new Output<>(OUT, job.key, job.value() + "-done")));
        }
    }
}
