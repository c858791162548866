package io.stemflow.pipeline.app;

import io.stemflow.schemas.DeadLetterHeaders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.avro.AdmittedJob;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationType;
import io.stemflow.kafka.KafkaTopics;
import io.stemflow.pipeline.topology.PipelineTopology;
import io.stemflow.pipeline.topology.TopologyConfig;
import io.stemflow.pipeline.topology.TopologyMetrics;
import io.stemflow.schemas.TopicNames;
import io.stemflow.schemas.TopicSpec;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bytes that do not decode go to the dead-letter topic with their origin in headers; the app goes
 * on. A request produced to a partition other than Kafka's murmur2 choice (as kcat's default
 * partitioner does) is still admitted.
 */
@WithKafkaStack
class CorruptRecordsOnBrokerTest {

    @TempDir
    Path stateDir;

    @Test
    void shouldDeadLetterCorruptBytesAndStillAdmitARequestFromAForeignPartitionerWhenBothArrive(final TestStack stack)
            throws Exception {
        // given a running pipeline
        KafkaTopics.createAndAwait(stack.admin(), TopicSpec.all(4).stream().map(t -> t.toNewTopic((short) 1)).toList(),
                Duration.ofSeconds(60));
        final String run = stack.uniqueTopic("corrupt");
        final PipelineStreamsConfig config = new PipelineStreamsConfig("stemflow-" + run, stack.bootstrapServers(),
                stack.registryUrl().toString(), stateDir, 1, 1, null, Map.of());
        // no gateway answers here, and this new application id reads the shared topics from the start, other
        // test classes' requests included: a lead larger than all of them lets the good request be handed on
        try (PipelineStreams app = PipelineStreams.start(config, TopologyConfig.defaults().withSchedulerLead(100_000),
                TopologyMetrics.inMemory())) {
            assertThat(app.awaitRunning(Duration.ofSeconds(90))).isTrue();
            // the internal topics are exactly the ones created ahead: Streams had none to create itself
            final java.util.Set<String> internal = new java.util.TreeSet<>(stack.admin().listTopics().names()
                    .get(30, TimeUnit.SECONDS));
            internal.removeIf(t -> !t.startsWith(config.applicationId() + "-"));
            assertThat(internal).containsExactlyInAnyOrderElementsOf(InternalTopics.of(
                    PipelineTopology.build(TopologyConfig.defaults(), io.stemflow.schemas.Topics.create(
                            new io.stemflow.serde.registry.InMemorySchemaRegistryClient(), Map.of()),
                            TopologyMetrics.inMemory()).describe(),
                    config.applicationId(), t -> 4, (short) 1).stream().map(t -> t.name()).toList());

            // when garbage, then a valid request, arrive on separation-requests
            final String badKey = run + "-garbage";
            try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(stack.producerConfig(), new StringSerializer(),
                    new ByteArraySerializer())) {
                raw.send(new ProducerRecord<>(TopicNames.REQUESTS, badKey,
                        "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            }
            final SeparationRequest good = SeparationRequest.newBuilder().setRequestId(run + "-good")
                    .setAccountId("acct").setTaskId("t").setAudioId("a").setType(SeparationType.SEPARATE_VOCAL)
                    .setRequestedAt(Instant.now()).build();
            try (KafkaProducer<String, SeparationRequest> producer = new KafkaProducer<>(stack.producerConfig(),
                    new StringSerializer(),
                    AvroSerdes.specific(SeparationRequest.class, stack.serdeConfig(), false).serializer())) {
                final int murmur2 = org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(
                        good.getRequestId().getBytes(StandardCharsets.UTF_8))) % 4;
                producer.send(new ProducerRecord<>(TopicNames.REQUESTS, (murmur2 + 1) % 4, good.getRequestId(), good))
                        .get(30, TimeUnit.SECONDS);
            }

            // then the garbage is a dead letter naming its origin
            final ConsumerRecord<String, DeadLetter> letter = first(stack, TopicNames.DLQ, DeadLetter.class, badKey);
            assertThat(letter.value().getKind()).isEqualTo(DeadLetterKind.CORRUPT_RECORD);
            assertThat(letter.value().getSourceTopic()).isEqualTo(TopicNames.REQUESTS);
            assertThat(letter.value().getPayload()).isNotNull();
            assertThat(header(letter, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(TopicNames.REQUESTS);
            assertThat(header(letter, DeadLetterHeaders.SOURCE_PARTITION)).isNotBlank();
            assertThat(header(letter, DeadLetterHeaders.SOURCE_OFFSET)).isNotBlank();
            assertThat(header(letter, DeadLetterHeaders.REASON)).containsIgnoringCase("magic byte");
            // and the valid request after it was admitted, although it was produced to a foreign partition
            final ConsumerRecord<String, AdmittedJob> admitted = first(stack, TopicNames.ADMITTED, AdmittedJob.class,
                    good.getRequestId());
            assertThat(admitted.value().getRequest().getRequestId()).isEqualTo(good.getRequestId());
        }
    }

    private static String header(final ConsumerRecord<?, ?> r, final String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> ConsumerRecord<String, T> first(
            final TestStack stack, final String topic, final Class<T> type, final String key) {
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(stack.consumerConfig(stack.uniqueTopic("read")),
                new StringDeserializer(), AvroSerdes.specific(type, stack.serdeConfig(), false).deserializer())) {
            consumer.subscribe(List.of(topic));
            final List<ConsumerRecord<String, T>> found = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(300)).forEach(r -> {
                    if (key.equals(r.key())) {
                        found.add(r);
                    }
                });
                return !found.isEmpty();
            });
            return found.get(0);
        }
    }
}
