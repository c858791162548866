package io.stemflow.bridge;

import io.stemflow.testing.SettableClock;
import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.avro.SeparationResult;
import io.stemflow.bridge.http.CallbackEndpoint;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The replay probes of issue 15: the provider's signature covers {@code task_id.timestamp} only, so a
 * captured signed callback could be sent again, or with other stem URLs, within the allowed age.
 * The same callback again is an idempotent 200 that produces nothing; a used signature with another
 * body, or for another requestId, is 401; a full cache refuses with 503. Records on the topic are
 * counted before and after each attack (up to a sentinel sent afterwards).
 */
@WithKafkaStack
@Tag("broker")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplayAttackTest {

    private static final String GENUINE = "{\"code\": 200, \"msg\": \"ok\", \"data\": {\"task_id\": \"%s\","
            + " \"vocal_removal_info\": {\"vocal_url\": \"https://cdn.provider/v.mp3\"}}}";
    private static final String FORGED = "{\"code\": 200, \"msg\": \"ok\", \"data\": {\"task_id\": \"%s\","
            + " \"vocal_removal_info\": {\"vocal_url\": \"https://attacker.example/v.mp3\"}}}";

    private TestStack kafka;
    private String topic;
    private CallbackBridge bridge;
    private CallbackClient client;
    private long nextTimestamp = Fixtures.NOW.getEpochSecond();

    @BeforeAll
    void startBridge(final TestStack stack) {
        kafka = stack;
        topic = stack.uniqueTopic("results-replay");
        stack.createTopics(1, topic);
        final Map<String, String> env = Fixtures.env(stack.bootstrapServers(), stack.registryUrl().toString(), topic);
        env.put(BridgeConfig.ENV_PROVIDER_WEBHOOK_KEY, Fixtures.WEBHOOK_KEY);
        bridge = CallbackBridge.start(BridgeConfig.fromEnv(env), Fixtures.CLOCK);
        client = new CallbackClient(bridge.url(), Fixtures.token());
    }

    @AfterAll
    void stopBridge() {
        bridge.close();
    }

    @Test
    void shouldAnswer200AndProduceNothingWhenTheSameSignedCallbackArrivesAgain() {
        // given: a genuine signed callback, stored
        final Map<String, String> headers = signed("task-again");
        final String body = GENUINE.formatted("task-again");
        assertThat(client.post("req-again", body, headers).statusCode()).isEqualTo(200);
        final long before = recordsFor("req-again");
        final double replayed = bridge.metrics().countOf(Outcome.REPLAYED);

        // when: the same request, byte for byte, three more times
        final List<HttpResponse<String>> again = List.of(client.post("req-again", body, headers),
                client.post("req-again", body, headers), client.post("req-again", body, headers));

        // then
        assertThat(again).allSatisfy(response -> {
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("{\"status\":\"accepted\",\"requestId\":\"req-again\"}");
        });
        assertThat(before).isEqualTo(1);
        assertThat(recordsFor("req-again")).isEqualTo(1);
        assertThat(bridge.metrics().countOf(Outcome.REPLAYED)).isEqualTo(replayed + 3);
    }

    @Test
    void shouldAnswer401AndProduceNothingWhenAUsedSignatureComesWithAnotherBodyOrForAnotherRequest() {
        // given: a genuine signed callback, stored
        final Map<String, String> headers = signed("task-swap");
        assertThat(client.post("req-swap", GENUINE.formatted("task-swap"), headers).statusCode()).isEqualTo(200);

        // when: its headers with other stem URLs, and with the same body to another request (its genuine token)
        final HttpResponse<String> otherBody = client.post("req-swap", FORGED.formatted("task-swap"), headers);
        final HttpResponse<String> otherRequest = client.post("req-other", GENUINE.formatted("task-swap"), headers);

        // then: the generic 401, and only the genuine record, with the genuine stems
        assertThat(List.of(otherBody, otherRequest)).allSatisfy(response -> {
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.body()).isEqualTo("{\"error\":\"unauthorized\",\"message\":\""
                    + CallbackEndpoint.UNAUTHORIZED_MESSAGE + "\"}");
        });
        final List<ConsumerRecord<String, SeparationResult>> records = readToSentinel();
        assertThat(records).filteredOn(r -> r.key().equals("req-swap")).singleElement()
                .satisfies(r -> assertThat(r.value().getStems()).extracting(io.stemflow.avro.StemUrl::getUrl)
                        .containsOnly("https://cdn.provider/v.mp3"));
        assertThat(records).noneMatch(r -> r.key().equals("req-other"));
        assertThat(bridge.metrics().countOf(Outcome.REPLAY_CONFLICT)).isEqualTo(2);
    }

    @Test
    void shouldAnswer503AndProduceNothingWhenTheReplayCacheIsFullUntilItsEntriesExpire() {
        // given: a bridge remembering 10 signatures at most, all used
        final SettableClock clock = new SettableClock(Fixtures.NOW);
        final MockProducer<String, SeparationResult> producer = Fixtures.mockProducer(true);
        final Map<String, String> env = Fixtures.env(Fixtures.NO_KAFKA, Fixtures.NO_REGISTRY, "results");
        env.put(BridgeConfig.ENV_PROVIDER_WEBHOOK_KEY, Fixtures.WEBHOOK_KEY);
        env.put(CallbackLimits.ENV_REPLAY_CACHE_MAX_ENTRIES, "10");
        try (CallbackBridge small = CallbackBridge.start(BridgeConfig.fromEnv(env), producer, clock)) {
            final CallbackClient smallClient = new CallbackClient(small.url(), Fixtures.token());
            final long now = Fixtures.NOW.getEpochSecond();
            for (int i = 0; i < 10; i++) {
                assertThat(smallClient.post("req-" + i, GENUINE.formatted("task-" + i), signedAt("task-" + i, now))
                        .statusCode()).isEqualTo(200);
            }

            // when
            final HttpResponse<String> full = smallClient.post("req-10", GENUINE.formatted("task-10"),
                    signedAt("task-10", now));
            clock.advance(BridgeConfig.DEFAULT_SIGNATURE_MAX_AGE.plusSeconds(1));
            final long later = clock.instant().getEpochSecond();
            final HttpResponse<String> afterExpiry = smallClient.post("req-10", GENUINE.formatted("task-10"),
                    signedAt("task-10", later));

            // then
            assertThat(full.statusCode()).isEqualTo(503);
            assertThat(full.headers().firstValue("Retry-After")).hasValue("60");
            assertThat(full.body()).startsWith("{\"error\":\"replay_cache_full\",");
            assertThat(afterExpiry.statusCode()).isEqualTo(200);
            assertThat(producer.history()).extracting(r -> r.key()).containsExactly("req-0", "req-1", "req-2", "req-3",
                    "req-4", "req-5", "req-6", "req-7", "req-8", "req-9", "req-10");
        }
    }

    /** Genuine signature headers at a timestamp of their own (each delivery is signed when it is sent). */
    private Map<String, String> signed(final String taskId) {
        return signedAt(taskId, nextTimestamp--);
    }

    private static Map<String, String> signedAt(final String taskId, final long timestamp) {
        return Map.of(WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestamp),
                WebhookSignature.SIGNATURE_HEADER, Fixtures.signer().sign(taskId, timestamp));
    }

    private long recordsFor(final String requestId) {
        return readToSentinel().stream().filter(r -> r.key().equals(requestId)).count();
    }

    /** Every record on the topic up to a sentinel sent now: what any earlier request produced is before it. */
    private List<ConsumerRecord<String, SeparationResult>> readToSentinel() {
        final String sentinel = "sentinel-" + UUID.randomUUID();
        final String task = "task-" + sentinel;
        assertThat(client.post(sentinel, GENUINE.formatted(task), signed(task)).statusCode()).isEqualTo(200);
        return ResultsReader.readUntil(kafka.bootstrapServers(),
                AvroSerdes.specific(SeparationResult.class, kafka.serdeConfig(), false).deserializer(), topic,
                read -> read.stream().anyMatch(r -> r.key().equals(sentinel)), Duration.ofSeconds(30));
    }
}
