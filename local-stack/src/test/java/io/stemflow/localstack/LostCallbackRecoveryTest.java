package io.stemflow.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.avro.JobState;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationType;
import io.stemflow.emulator.FaultShares;
import io.stemflow.emulator.ProviderEmulator;
import io.stemflow.pipeline.topology.TopologyConfig;
import io.stemflow.schemas.TopicNames;
import io.stemflow.serde.AvroSerdes;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider loses every callback: the topology notices the silence, asks the reconciler, the
 * gateway polls record-info, and the jobs complete anyway (whole local stack, real processes).
 */
@Tag("broker")
class LostCallbackRecoveryTest {

    @TempDir
    Path dataDir;

    @Test
    void shouldCompleteJobsThroughRecordInfoWhenEveryCallbackIsLost() throws Exception {
        final TopologyConfig quick = TopologyConfig.defaults()
                .withTimeouts(Duration.ofSeconds(8), Duration.ofSeconds(4), 5)
                .withPunctuateInterval(Duration.ofSeconds(1));
        try (LocalStack stack = LocalStack.start(
                new LocalStackConfig(dataDir, StackPorts.anyFree(), 2, false, true, quick))) {
            // given a provider that loses every callback
            final ProviderEmulator emulator = stack.emulator().orElseThrow();
            emulator.control().setFaults(FaultShares.NONE.withLostCallbacks(1.0));
            final Map<String, Object> serde = stack.info().registry().serdeConfig();

            // when three jobs are requested
            final List<String> ids = List.of("lost-1", "lost-2", "lost-3");
            try (KafkaProducer<String, SeparationRequest> producer = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.info().bootstrapServers()),
                    new StringSerializer(), AvroSerdes.specific(SeparationRequest.class, serde, false).serializer())) {
                for (final String id : ids) {
                    producer.send(new ProducerRecord<>(TopicNames.REQUESTS, id, SeparationRequest.newBuilder()
                            .setRequestId(id).setAccountId("acct").setTaskId("t-" + id).setAudioId("a-" + id)
                            .setType(SeparationType.SEPARATE_VOCAL).setRequestedAt(Instant.now()).build()))
                            .get(30, TimeUnit.SECONDS);
                }
            }

            // then each goes through RECONCILING to COMPLETED, though no callback was delivered
            final Map<String, List<JobState>> seen = new HashMap<>();
            final Map<String, Object> c = new HashMap<>();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.info().bootstrapServers());
            c.put(ConsumerConfig.GROUP_ID_CONFIG, "lost-callback-test");
            c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            try (KafkaConsumer<String, JobStatus> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                    AvroSerdes.specific(JobStatus.class, serde, false).deserializer())) {
                consumer.subscribe(List.of(TopicNames.STATUS));
                await().atMost(Duration.ofMinutes(2)).until(() -> {
                    consumer.poll(Duration.ofMillis(300)).forEach(r ->
                            seen.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value().getState()));
                    return ids.stream().allMatch(id -> seen.getOrDefault(id, List.of()).contains(JobState.COMPLETED));
                });
            }
            ids.forEach(id -> assertThat(seen.get(id)).containsSubsequence(JobState.SUBMITTED, JobState.RECONCILING,
                    JobState.COMPLETED));
            assertThat(emulator.control().counters().callbacksLost()).isGreaterThanOrEqualTo(3);
            assertThat(emulator.control().counters().callbacksDelivered()).isZero();
        }
    }
}
