package io.stemflow.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationType;
import io.stemflow.schemas.Contract;
import io.stemflow.schemas.TopicNames;
import io.stemflow.serde.AvroSerde;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.serde.registry.RegisteredSchema;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("broker")
class LocalStackRestartTest {

    private static final Schema REQUESTS_SCHEMA = Contract.valueSchemasByTopic().get(TopicNames.REQUESTS);

    @TempDir
    Path dataDir;

    @Test
    void shouldKeepSchemaIdsAndDecodeOldRecordsWhenTheStackIsRestarted() throws Exception {
        // given a stack that took three requests
        final LocalStackConfig config = new LocalStackConfig(dataDir, StackPorts.anyFree(), 2, false, false);
        final List<SeparationRequest> sent = List.of(request("a"), request("b"), request("c"));
        final int idBefore;
        try (LocalStack stack = LocalStack.start(config)) {
            assertThat(StackInfo.readFrom(config.stackFile()).bootstrapServers())
                    .isEqualTo(stack.info().bootstrapServers());
            // the contract is registered up front: before anything is produced, every subject holds the .avsc's
            // schema as its only version, at FULL_TRANSITIVE
            for (final Map.Entry<String, Schema> contract : Contract.valueSchemasByTopic().entrySet()) {
                final String subject = Contract.valueSubject(contract.getKey());
                final RegisteredSchema latest = registry(stack).getLatest(subject);
                assertThat(latest.schema()).as(subject).isEqualTo(contract.getValue());
                assertThat(latest.version()).as(subject).isEqualTo(1);
                final HttpResponse<String> level = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(stack.info().schemaRegistryUrl() + "/config/" + subject)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(level.body()).as(subject).contains("\"FULL_TRANSITIVE\"");
            }
            final AvroSerde<SeparationRequest> serde = serde(stack);
            try (KafkaProducer<String, SeparationRequest> producer = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.info().bootstrapServers(),
                            ProducerConfig.ACKS_CONFIG, "all"),
                    new StringSerializer(), serde.serializer())) {
                for (final SeparationRequest r : sent) {
                    producer.send(new ProducerRecord<>(TopicNames.REQUESTS, r.getRequestId(), r)).get(30, TimeUnit.SECONDS);
                }
            }
            idBefore = registry(stack).getId(Contract.valueSubject(TopicNames.REQUESTS), REQUESTS_SCHEMA);
        }
        assertThat(config.stackFile()).as("stack.json is removed on a clean stop").doesNotExist();

        // when the stack starts again on the same data directory
        try (LocalStack stack = LocalStack.start(config)) {
            // then the schema keeps its id, old records carry it and decode with a fresh client
            final RestSchemaRegistryClient registry = registry(stack);
            assertThat(registry.getId(Contract.valueSubject(TopicNames.REQUESTS), REQUESTS_SCHEMA))
                    .isEqualTo(idBefore);
            assertThat(registry.getById(idBefore)).isEqualTo(REQUESTS_SCHEMA);
            assertThat(registry.register(Contract.valueSubject(TopicNames.REQUESTS), REQUESTS_SCHEMA))
                    .as("registering again gives the same id").isEqualTo(idBefore);

            final List<byte[]> raw = readAll(stack.info().bootstrapServers(), 3);
            final Set<Integer> ids = new HashSet<>();
            raw.forEach(bytes -> ids.add(ByteBuffer.wrap(bytes, 1, 4).getInt()));
            assertThat(ids).containsExactly(idBefore);
            final AvroSerde<SeparationRequest> fresh = serde(stack);
            final List<SeparationRequest> decoded = new ArrayList<>();
            raw.forEach(bytes -> decoded.add(fresh.deserializer().deserialize(TopicNames.REQUESTS, bytes)));
            assertThat(decoded).containsExactlyInAnyOrderElementsOf(sent);
        }
    }

    @Test
    void shouldCreateEveryTopicAndWipeTheDataWhenStartedFresh() throws Exception {
        // given a stack that ran once
        final LocalStackConfig config = new LocalStackConfig(dataDir, StackPorts.anyFree(), 2, false, false);
        try (LocalStack stack = LocalStack.start(config)) {
            assertThat(stack.kafka().orElseThrow().isRunning()).isTrue();
        }
        final Path marker = Files.writeString(dataDir.resolve("marker"), "old");

        // when it starts fresh
        final LocalStackConfig fresh = new LocalStackConfig(dataDir, StackPorts.anyFree(), 2, true, false);
        try (LocalStack stack = LocalStack.start(fresh);
             var admin = org.apache.kafka.clients.admin.Admin.create(
                     Map.of("bootstrap.servers", stack.info().bootstrapServers()))) {
            // then old data is gone and every topic exists
            assertThat(marker).doesNotExist();
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).containsAll(TopicNames.ALL);
        }
    }

    @Test
    void shouldReportTheBrokerDeadUntilItIsRestartedAndAgainWhenItDiesAgain() throws Exception {
        // given a stack whose broker is killed (SIGKILL, as a crash)
        final LocalStackConfig config = new LocalStackConfig(dataDir, StackPorts.anyFree(), 1, false, false);
        try (LocalStack stack = LocalStack.start(config)) {
            final var kafka = stack.kafka().orElseThrow();
            final long first = kafka.pid(1);
            kafka.killBroker(1);
            await("the stack reports its broker dead").atMost(Duration.ofSeconds(30))
                    .until(() -> stack.failure().isDone());
            assertThat(stack.failure().join()).contains("the Kafka broker (pid " + first + ") exited with code 137");
            assertThat(stack.problems()).containsKey("kafka");

            // when it is started again
            stack.restartBroker(1);

            // then the stack no longer reports it, and it works: a record goes in and comes back
            assertThat(stack.failure()).isNotDone();
            assertThat(stack.problems()).doesNotContainKey("kafka");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.info().bootstrapServers(),
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000),
                    new StringSerializer(), new StringSerializer())) {
                assertThat(producer.send(new ProducerRecord<>(TopicNames.REQUESTS, "k", "after the restart"))
                        .get(60, TimeUnit.SECONDS).offset()).isNotNegative();
            }

            // and when the new broker dies too, that is reported again, with its own pid
            final long second = kafka.pid(1);
            kafka.killBroker(1);
            await("the second death reported").atMost(Duration.ofSeconds(30))
                    .until(() -> stack.failure().isDone());
            assertThat(second).isNotEqualTo(first);
            assertThat(stack.failure().join()).contains("(pid " + second + ")");
        }
    }

    private static RestSchemaRegistryClient registry(final LocalStack stack) {
        return new RestSchemaRegistryClient(stack.info().registry().clientConfig());
    }

    private static AvroSerde<SeparationRequest> serde(final LocalStack stack) {
        return AvroSerdes.specific(SeparationRequest.class,
                stack.info().registry().serdeConfig(), false);
    }

    private static List<byte[]> readAll(final String bootstrap, final int expected) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            final List<TopicPartition> partitions = consumer.partitionsFor(TopicNames.REQUESTS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final List<byte[]> values = new ArrayList<>();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
            }
            assertThat(values).hasSize(expected);
            return values;
        }
    }

    private static SeparationRequest request(final String id) {
        Contract.trustGeneratedClasses(); // the builder fills the priority default reflectively
        return SeparationRequest.newBuilder()
                .setRequestId(id)
                .setAccountId("acct")
                .setTaskId("task-" + id)
                .setAudioId("audio-" + id)
                .setType(SeparationType.SEPARATE_VOCAL)
                .setRequestedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .build();
    }
}
