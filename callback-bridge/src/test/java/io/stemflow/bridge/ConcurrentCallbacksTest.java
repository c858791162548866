package io.stemflow.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.avro.ResultSource;
import io.stemflow.avro.SeparationResult;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * 1,000 callbacks, 48 in flight at a time, through real HTTP into a real broker: every 200 is
 * exactly one record, and every record a 200.
 *
 * <p>To know the topic holds nothing more, without waiting for quiet: once every response is in,
 * a marker is written straight to each partition. A record the bridge produced was acknowledged
 * before its response, so it sits before the marker of its partition; reading every partition up to
 * its marker reads them all.
 */
@WithKafkaStack
class ConcurrentCallbacksTest {

    private static final int CALLBACKS = 1000;
    private static final int IN_FLIGHT = 48;
    private static final int PARTITIONS = 3;
    private static final String MARKER = "marker-";

    @Test
    void shouldStoreExactlyOneRecordPerAcceptedCallbackWhenAThousandArriveConcurrently(final TestStack stack)
            throws Exception {
        // given
        final String topic = stack.uniqueTopic("results-concurrent");
        stack.createTopics(PARTITIONS, topic);
        final Map<String, String> env = Fixtures.env(stack.bootstrapServers(), stack.registryUrl().toString(), topic);
        env.put(CallbackLimits.ENV_MAX_REQUESTS_PER_CLIENT, Integer.toString(IN_FLIGHT)); // one client, 48 in flight
        final Map<String, Integer> statuses = new ConcurrentHashMap<>();

        try (CallbackBridge bridge = CallbackBridge.start(BridgeConfig.fromEnv(env), Fixtures.CLOCK)) {
            final CallbackClient client = new CallbackClient(bridge.url(), Fixtures.token());
            final Semaphore slots = new Semaphore(IN_FLIGHT);
            final List<CompletableFuture<?>> responses = new ArrayList<>();

            // when
            for (int i = 0; i < CALLBACKS; i++) {
                final String requestId = "req-" + i;
                assertThat(slots.tryAcquire(30, TimeUnit.SECONDS)).as("a free slot within 30 s").isTrue();
                responses.add(client.postAsync(requestId, body(i))
                        .whenComplete((response, error) -> {
                            statuses.put(requestId, response == null ? -1 : response.statusCode());
                            slots.release();
                        }));
            }
            CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)).handle((ok, error) -> null)
                    .get(120, TimeUnit.SECONDS);
        }
        writeMarkers(stack, topic);

        // then
        final Set<String> accepted = statuses.entrySet().stream().filter(e -> e.getValue() == 200)
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        final List<ConsumerRecord<String, SeparationResult>> records = ResultsReader.readUntil(stack.bootstrapServers(),
                AvroSerdes.specific(SeparationResult.class, stack.serdeConfig(), false).deserializer(), topic,
                read -> read.stream().filter(r -> r.key().startsWith(MARKER)).count() == PARTITIONS,
                Duration.ofSeconds(60));
        final List<ConsumerRecord<String, SeparationResult>> results = records.stream()
                .filter(r -> !r.key().startsWith(MARKER)).toList();
        final Set<String> stored = results.stream().map(ConsumerRecord::key).collect(Collectors.toSet());

        assertThat(statuses).hasSize(CALLBACKS);
        assertThat(accepted).as("callbacks answered 200").hasSize(CALLBACKS);
        assertThat(results).as("one record per 200, no duplicates").hasSize(accepted.size());
        assertThat(stored).isEqualTo(accepted);
        assertThat(results).allSatisfy(r -> {
            assertThat(r.value().getRequestId()).isEqualTo(r.key());
            assertThat(r.value().getProviderTaskId()).isEqualTo("task-" + r.key().substring("req-".length()));
            assertThat(r.value().getSource()).isEqualTo(ResultSource.CALLBACK);
        });
    }

    private static String body(final int i) {
        return "{\"code\": 200, \"msg\": \"vocal separation completed\", \"data\": {\"task_id\": \"task-" + i + "\","
                + " \"vocal_removal_info\": {\"vocal_url\": \"https://files.provider.example/s/" + i + "_Vocals.mp3\","
                + " \"instrumental_url\": \"https://files.provider.example/s/" + i + "_Instrumental.mp3\", \"origin_url\": \"\"}}}";
    }

    private static void writeMarkers(final TestStack stack, final String topic) throws Exception {
        final Set<Integer> written = new HashSet<>();
        try (KafkaProducer<String, SeparationResult> producer = new KafkaProducer<>(stack.producerConfig(),
                new StringSerializer(), AvroSerdes.specific(SeparationResult.class, stack.serdeConfig(), false).serializer())) {
            for (int partition = 0; partition < PARTITIONS; partition++) {
                final SeparationResult marker = SeparationResult.newBuilder().setRequestId(MARKER + partition)
                        .setProviderTaskId("none").setCode(0).setMessage(null).setStems(List.of()).setOriginUrl(null)
                        .setSource(ResultSource.CALLBACK)
                        .setReceivedAt(Fixtures.NOW).build();
                written.add(producer.send(new ProducerRecord<>(topic, partition, MARKER + partition, marker))
                        .get(30, TimeUnit.SECONDS).partition());
            }
        }
        assertThat(written).hasSize(PARTITIONS);
    }
}
