package io.stemflow.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.stemflow.avro.SeparationResult;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.junit.jupiter.api.Test;

/**
 * {@link CallbackBridge#close()} finishes what is in flight: a callback whose record is not yet
 * acknowledged when the stop begins still gets its 200 once it is, new callbacks get 503 meanwhile,
 * and the producer is closed only after. The producer is a MockProducer that acknowledges when the
 * test says so.
 */
class GracefulShutdownTest {

    private static final String BODY = "{\"code\": 200, \"data\": {\"task_id\": \"task-1\"}}";

    @Test
    void shouldFinishInFlightCallbacksAndRefuseNewOnesWhenClosing() throws Exception {
        // given
        final MockProducer<String, SeparationResult> producer = Fixtures.mockProducer(false);
        final CallbackBridge bridge = CallbackBridge.start(
                BridgeConfig.fromEnv(Fixtures.env(Fixtures.NO_KAFKA, Fixtures.NO_REGISTRY, "results")), producer,
                Fixtures.CLOCK);
        final CallbackClient client = new CallbackClient(bridge.url(), Fixtures.token());
        final CompletableFuture<HttpResponse<String>> inFlight = client.postAsync("req-in-flight", BODY);
        await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == 1);

        // when
        final CompletableFuture<Void> closing = CompletableFuture.runAsync(bridge::close);
        await().atMost(Duration.ofSeconds(10)).until(() -> !bridge.isReady());
        final HttpResponse<String> refused = client.post("req-late", BODY);
        final boolean closedBeforeAck = closing.isDone() || producer.closed() || inFlight.isDone();
        producer.completeNext();

        // then
        assertThat(closedBeforeAck).as("close or the answer finished before the acknowledgement").isFalse();
        assertThat(inFlight.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        closing.get(10, TimeUnit.SECONDS);
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("60");
        assertThat(refused.body()).contains("\"error\":\"shutting_down\"");
        assertThat(producer.history()).extracting(r -> r.key()).containsExactly("req-in-flight");
        assertThat(producer.closed()).isTrue();
        assertThatThrownBy(() -> client.post("req-after-stop", BODY)).isInstanceOf(UncheckedIOException.class);
    }
}
