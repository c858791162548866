package io.stemflow.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.avro.SeparationResult;
import io.stemflow.kafka.KafkaTopics;
import io.stemflow.kafka.embedded.EmbeddedKafka;
import io.stemflow.kafka.embedded.EmbeddedKafkaConfig;
import io.stemflow.registry.EmbeddedSchemaRegistry;
import io.stemflow.registry.RegistryConfig;
import io.stemflow.serde.AvroSerdes;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The broker goes away and comes back, with its own broker process (the shared one must not stop):
 * 503 with {@code Retry-After} within the bound and never a 200 while it is down, readiness follows,
 * and the same bridge (same producer) stores callbacks again once it is back.
 */
@Tag("broker")
class BrokerOutageTest {

    private static final Duration PRODUCE_TIMEOUT = Duration.ofMillis(2000);
    /** The answer bound: the produce timeout plus HTTP and scheduling slack, far below the provider's 15 s. */
    private static final Duration ANSWER_BOUND = PRODUCE_TIMEOUT.plusMillis(2000);
    private static final int DURING_OUTAGE = 4;
    private static final String BODY = "{\"code\": 200, \"msg\": \"ok\", \"data\": {\"task_id\": \"task-1\","
            + " \"vocal_removal_info\": {\"vocal_url\": \"https://x/v.mp3\"}}}";

    @Test
    void shouldAnswer503WithinTheBoundWhileTheBrokerIsDownAndStoreAgainWithoutRestartWhenItReturns() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafkaConfig.temporary());
             EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(RegistryConfig.inMemory())) {
            // given
            final String topic = "results-outage";
            createTopic(kafka.bootstrapServers(), topic);
            final Map<String, String> env = Fixtures.env(kafka.bootstrapServers(), registry.url().toString(), topic);
            env.put(BridgeConfig.ENV_PRODUCE_TIMEOUT_MS, Long.toString(PRODUCE_TIMEOUT.toMillis()));
            env.put(BridgeConfig.ENV_READINESS_INTERVAL_MS, "250");
            final BridgeConfig config = BridgeConfig.fromEnv(env);
            final Map<String, Integer> finalStatus = new LinkedHashMap<>();
            final List<Timed> duringOutage = new ArrayList<>();

            try (CallbackBridge bridge = CallbackBridge.start(config, Fixtures.CLOCK)) {
                final CallbackClient client = new CallbackClient(bridge.url(), Fixtures.token());
                await().atMost(Duration.ofSeconds(30)).until(() -> client.get("/health/ready").statusCode() == 200);
                finalStatus.put("req-before", client.post("req-before", BODY).statusCode());

                // when
                kafka.stop();
                final List<CompletableFuture<Timed>> pending = new ArrayList<>();
                for (int i = 0; i < DURING_OUTAGE; i++) {
                    pending.add(timed(client, "req-down-" + i));
                }
                for (final CompletableFuture<Timed> answer : pending) {
                    duringOutage.add(answer.get(30, TimeUnit.SECONDS));
                }
                final CallbackBridge coldStart = CallbackBridge.start(config, Fixtures.CLOCK);
                final Timed cold;
                final long closeStart;
                try {
                    cold = timed(new CallbackClient(coldStart.url(), Fixtures.token()), "req-cold").get(30, TimeUnit.SECONDS);
                } finally {
                    closeStart = System.nanoTime();
                    coldStart.close();
                }
                final long coldCloseMillis = (System.nanoTime() - closeStart) / 1_000_000;
                duringOutage.add(cold);
                await().atMost(Duration.ofSeconds(15)).until(() -> client.get("/health/ready").statusCode() == 503);

                kafka.restart();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> client.post("req-down-0", BODY).statusCode() == 200);
                for (final Timed earlier : duringOutage) {
                    finalStatus.put(earlier.requestId, client.post(earlier.requestId, BODY).statusCode());
                }
                finalStatus.put("req-after", client.post("req-after", BODY).statusCode());
                await().atMost(Duration.ofSeconds(15)).until(() -> client.get("/health/ready").statusCode() == 200);

                // then
                assertThat(duringOutage).allSatisfy(answer -> {
                    assertThat(answer.response.statusCode()).as(answer.requestId).isEqualTo(503);
                    assertThat(answer.response.headers().firstValue("Retry-After")).hasValue("60");
                    assertThat(answer.response.body()).contains("\"error\":\"kafka_unavailable\"");
                    assertThat(answer.elapsed).as("answer time of " + answer.requestId).isLessThan(ANSWER_BOUND);
                });
                assertThat(coldCloseMillis).as("close of a bridge whose broker is down, ms").isLessThan(10_000);
                assertThat(finalStatus.values()).as("after the broker is back").containsOnly(200);
                assertThat(bridge.metrics().countOf(Outcome.KAFKA_UNAVAILABLE)).isGreaterThanOrEqualTo(DURING_OUTAGE);
            }

            final Set<String> accepted = finalStatus.keySet();
            final List<ConsumerRecord<String, SeparationResult>> records = ResultsReader.readUntil(kafka.bootstrapServers(),
                    AvroSerdes.specific(SeparationResult.class, Map.of("schema.registry.url", registry.url().toString()), false)
                            .deserializer(), topic,
                    read -> read.stream().map(ConsumerRecord::key).collect(Collectors.toSet()).containsAll(accepted),
                    Duration.ofSeconds(30));
            assertThat(records).extracting(ConsumerRecord::key).allMatch(accepted::contains);
        }
    }

    private static CompletableFuture<Timed> timed(final CallbackClient client, final String requestId) {
        final long start = System.nanoTime();
        return client.postAsync(requestId, BODY)
                .thenApply(response -> new Timed(requestId, response, Duration.ofNanos(System.nanoTime() - start)));
    }

    private static void createTopic(final String bootstrap, final String topic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            KafkaTopics.createAndAwait(admin, List.of(new NewTopic(topic, 1, (short) 1)), Duration.ofSeconds(60));
        }
    }

    private record Timed(String requestId, HttpResponse<String> response, Duration elapsed) {
    }
}
