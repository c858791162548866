package io.stemflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.serde.AvroSerde;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.serde.registry.IncompatibleSchemaException;
import io.stemflow.serde.registry.RegistryClientConfig;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The contract's serde against a real broker and the real (HTTP, Kafka-backed) embedded registry. */
@WithKafkaStack
class ContractOnRealStackTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void shouldFrameTheRecordWithAnIdTheRegistryServesWhenWrittenThroughTheSerde(final TestStack stack) throws Exception {
        // given
        final String topic = stack.uniqueTopic("requests");
        stack.createTopics(1, topic);
        final SeparationRequest sent = SampleRecords.request("req-0001");
        final AvroSerde<SeparationRequest> serde = AvroSerdes.specific(SeparationRequest.class, stack.serdeConfig(), false);

        // when
        try (KafkaProducer<String, SeparationRequest> producer =
                new KafkaProducer<>(stack.producerConfig(), new StringSerializer(), serde.serializer())) {
            producer.send(new ProducerRecord<>(topic, sent.getRequestId(), sent)).get(30, TimeUnit.SECONDS);
        }

        // then the bytes on the topic are 0, a 4-byte id, Avro binary
        final byte[] raw = consumeRaw(stack, topic, 1).get(0).value();
        assertThat(raw[0]).isZero();
        final int id = ByteBuffer.wrap(raw, 1, 4).getInt();
        final HttpResponse<String> byId = HTTP.send(
                HttpRequest.newBuilder(URI.create(stack.registryUrl() + "/schemas/ids/" + id)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(byId.statusCode()).isEqualTo(200);
        final Schema served = new Schema.Parser().parse(JSON.readTree(byId.body()).get("schema").asText());
        assertThat(served).isEqualTo(Contract.valueSchemasByTopic().get(TopicNames.REQUESTS));
        // and they read back equal
        assertThat(serde.deserializer().deserialize(topic, raw)).isEqualTo(sent);
    }

    @Test
    void shouldKeepIdsStableAndRefuseIncompatibleChangesWhenSchemasEvolve(final TestStack stack) {
        // given
        final String subject = stack.uniqueTopic("evolving") + "-value";
        final RestSchemaRegistryClient client =
                new RestSchemaRegistryClient(RegistryClientConfig.of(stack.registryUrl().toString()));
        final Schema v1 = SchemaBuilder.record("Track").namespace("io.stemflow.test").fields()
                .requiredString("isrc").endRecord();
        final Schema v2 = SchemaBuilder.record("Track").namespace("io.stemflow.test").fields()
                .requiredString("isrc").optionalString("title").endRecord();
        final Schema breaking = SchemaBuilder.record("Track").namespace("io.stemflow.test").fields()
                .requiredString("isrc").requiredInt("durationMs").endRecord();

        // when
        final int first = client.register(subject, v1);
        final int again = client.register(subject, v1);
        final int evolved = client.register(subject, v2);

        // then
        assertThat(again).as("same schema twice").isEqualTo(first);
        assertThat(evolved).as("compatible change").isNotEqualTo(first);
        assertThat(client.getLatest(subject).version()).isEqualTo(2);
        assertThatThrownBy(() -> client.register(subject, breaking))
                .isInstanceOf(IncompatibleSchemaException.class)
                .hasMessageContaining(subject);
        assertThat(client.getLatest(subject).version()).as("nothing registered").isEqualTo(2);
    }

    @Test
    void shouldReportEachCorruptRecordAndGoOnWhenTheTopicHoldsBadBytes(final TestStack stack) throws Exception {
        // given a topic with a wrong magic byte, an unknown schema id, a truncated body, then a good record
        final String topic = stack.uniqueTopic("corrupt");
        stack.createTopics(1, topic);
        final AvroSerde<SeparationRequest> serde = AvroSerdes.specific(SeparationRequest.class, stack.serdeConfig(), false);
        final SeparationRequest good = SampleRecords.request("req-good");
        final byte[] goodBytes = serde.serializer().serialize(topic, good);
        final byte[] wrongMagic = goodBytes.clone();
        wrongMagic[0] = 7;
        final byte[] unknownId = goodBytes.clone();
        ByteBuffer.wrap(unknownId, 1, 4).putInt(987_654);
        final byte[] truncated = java.util.Arrays.copyOf(goodBytes, 12);
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(stack.producerConfig(), new StringSerializer(), new ByteArraySerializer())) {
            for (final byte[] value : List.of(wrongMagic, unknownId, truncated, goodBytes)) {
                producer.send(new ProducerRecord<>(topic, "k", value)).get(30, TimeUnit.SECONDS);
            }
        }

        // when a consumer with the serde reads the topic, skipping what it cannot decode
        final List<String> errors = new ArrayList<>();
        final List<SeparationRequest> decoded = new ArrayList<>();
        try (KafkaConsumer<String, SeparationRequest> consumer = new KafkaConsumer<>(
                stack.consumerConfig(stack.uniqueTopic("group")), new StringDeserializer(), serde.deserializer())) {
            final TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (decoded.isEmpty() && System.nanoTime() < deadline) {
                try {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> decoded.add(r.value()));
                } catch (RecordDeserializationException e) {
                    errors.add(e.offset() + ": " + e.getCause().getMessage());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                }
            }
        }

        // then each bad record was reported with a clear reason, and the good one still arrived
        assertThat(errors).hasSize(3);
        assertThat(errors.get(0)).startsWith("0: ").containsIgnoringCase("magic byte");
        assertThat(errors.get(1)).startsWith("1: ").contains("987654");
        assertThat(errors.get(2)).startsWith("2: ").containsIgnoringCase("truncated");
        assertThat(decoded).containsExactly(good);
    }

    private static List<ConsumerRecord<String, byte[]>> consumeRaw(final TestStack stack, final String topic,
                                                                   final int expected) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                stack.consumerConfig(stack.uniqueTopic("raw")), new StringDeserializer(), new ByteArrayDeserializer())) {
            final TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            assertThat(records).as("records on %s", topic).hasSize(expected);
            return records;
        }
    }
}
