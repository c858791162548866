package io.stemflow.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.avro.SeparationResult;
import io.stemflow.schemas.provider.CallbackToken;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.kafka.clients.producer.MockProducer;
import org.junit.jupiter.api.Test;

/** The URL the submitter makes with {@link CallbackToken#callbackUrl} is accepted as it is, for any requestId it encodes. */
class CallbackUrlTest {

    @Test
    void shouldAcceptTheSubmittersCallbackUrlWhenTheRequestIdNeedsPercentEncoding() throws Exception {
        // given
        final MockProducer<String, SeparationResult> producer = Fixtures.mockProducer(true);
        final String requestId = "req ä+1~x";
        try (CallbackBridge bridge = CallbackBridge.start(
                BridgeConfig.fromEnv(Fixtures.env(Fixtures.NO_KAFKA, Fixtures.NO_REGISTRY, "results")), producer,
                Fixtures.CLOCK)) {
            final CallbackToken token = Fixtures.token();
            final HttpRequest request = HttpRequest.newBuilder(token.callbackUrl(bridge.url(), requestId))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"code\": 451, \"data\": {\"task_id\": \"t\"}}"))
                    .build();

            // when
            final HttpResponse<String> response = HttpClient.newHttpClient()
                    .send(request, HttpResponse.BodyHandlers.ofString());

            // then
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(producer.history()).singleElement().satisfies(record -> {
                assertThat(record.key()).isEqualTo(requestId);
                assertThat(record.value().getRequestId()).isEqualTo(requestId);
            });
        }
    }
}
