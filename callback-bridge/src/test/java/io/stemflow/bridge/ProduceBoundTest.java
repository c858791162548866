package io.stemflow.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.avro.SeparationResult;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Never a 200 without an acknowledgement: a send that is not acknowledged within the produce
 * timeout is a 503 with {@code Retry-After}, a transient failure too, a permanent one a 500; and
 * readiness follows. The producer is a MockProducer that acknowledges or fails when the test says.
 */
class ProduceBoundTest {

    private static final Duration PRODUCE_TIMEOUT = Duration.ofMillis(300);
    private static final String BODY = "{\"code\": 200, \"data\": {\"task_id\": \"task-1\"}}";

    private MockProducer<String, SeparationResult> producer;
    private CallbackBridge bridge;
    private CallbackClient client;

    @BeforeEach
    void start() {
        producer = Fixtures.mockProducer(false);
        final Map<String, String> env = Fixtures.env(Fixtures.NO_KAFKA, Fixtures.NO_REGISTRY, "results");
        env.put(BridgeConfig.ENV_PRODUCE_TIMEOUT_MS, Long.toString(PRODUCE_TIMEOUT.toMillis()));
        env.put(BridgeConfig.ENV_SHUTDOWN_TIMEOUT_MS, "1000");
        env.put(BridgeConfig.ENV_RETRY_AFTER_S, "90");
        bridge = CallbackBridge.start(BridgeConfig.fromEnv(env), producer, Fixtures.CLOCK);
        client = new CallbackClient(bridge.url(), Fixtures.token());
    }

    @AfterEach
    void stop() {
        bridge.close();
    }

    @Test
    void shouldAnswer503WithRetryAfterWithinTheBoundWhenNoAcknowledgementComes() {
        // given
        final long start = System.nanoTime();

        // when
        final HttpResponse<String> response = client.post("req-1", BODY);
        final Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        // then
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("90");
        assertThat(response.body()).isEqualTo(
                "{\"error\":\"kafka_unavailable\",\"message\":\"The result could not be stored now: retry later\"}");
        assertThat(elapsed).isGreaterThanOrEqualTo(PRODUCE_TIMEOUT).isLessThan(PRODUCE_TIMEOUT.plusSeconds(2));
        assertThat(bridge.isReady()).isFalse();
        assertThat(bridge.metrics().countOf(Outcome.KAFKA_UNAVAILABLE)).isEqualTo(1);
    }

    @Test
    void shouldAnswer200OnlyAfterTheAcknowledgementAndBecomeReadyAgain() throws Exception {
        // given
        client.post("req-1", BODY); // times out: not ready
        final CompletableFuture<HttpResponse<String>> second = client.postAsync("req-2", BODY);
        await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == 2);
        final boolean answeredBeforeAck = second.isDone();

        // when
        producer.completeNext(); // the late acknowledgement of req-1: harmless
        producer.completeNext();

        // then
        assertThat(answeredBeforeAck).isFalse();
        assertThat(second.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(bridge.isReady()).isTrue();
    }

    @Test
    void shouldAnswer503WhenKafkaFailsTransientlyAnd500WhenItRefusesTheRecord() throws Exception {
        // given
        final CompletableFuture<HttpResponse<String>> transientFailure = client.postAsync("req-1", BODY);
        await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == 1);
        producer.errorNext(new TimeoutException("Expiring 1 record(s)"));
        final HttpResponse<String> first = transientFailure.get(10, TimeUnit.SECONDS);
        final CompletableFuture<HttpResponse<String>> permanentFailure = client.postAsync("req-2", BODY);
        await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == 2);

        // when
        producer.errorNext(new RecordTooLargeException("too large"));
        final HttpResponse<String> second = permanentFailure.get(10, TimeUnit.SECONDS);

        // then
        assertThat(first.statusCode()).isEqualTo(503);
        assertThat(second.statusCode()).isEqualTo(500);
        assertThat(second.headers().firstValue("Retry-After")).isEmpty();
        assertThat(second.body()).isEqualTo("{\"error\":\"publish_failed\",\"message\":\"The result could not be stored\"}");
        assertThat(bridge.metrics().countOf(Outcome.PUBLISH_FAILED)).isEqualTo(1);
    }
}
