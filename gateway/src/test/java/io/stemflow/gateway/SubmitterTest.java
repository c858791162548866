package io.stemflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.avro.SubmissionStatus;
import io.stemflow.schemas.provider.CallbackToken;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The submitter against a healthy provider: one accepted outcome per job, with a valid per-job callback URL. */
@WithKafkaStack
class SubmitterTest {

    @Test
    void shouldWriteOneAcceptedOutcomePerJobWhenProviderIsHealthy(final TestStack stack) throws Exception {
        // given
        try (GatewayFixture fixture = GatewayFixture.start(stack, GatewayFixture.emulator(), 3)) {
            final TopicReader<SubmissionOutcome> outcomes = fixture.outcomes();
            fixture.gateway(Map.of());

            // when
            fixture.admit(GatewayFixture.requests("happy", 30));

            // then
            await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.poll().size() >= 30);
            final Map<String, List<SubmissionOutcome>> byKey = outcomes.byKey();
            assertThat(byKey).hasSize(30).allSatisfy((id, list) -> {
                assertThat(list).hasSize(1);
                assertThat(list.get(0).getStatus()).isEqualTo(SubmissionStatus.ACCEPTED);
                assertThat(list.get(0).getProviderCalls()).isEqualTo(1);
                assertThat(list.get(0).getRequestId()).isEqualTo(id);
            });
            assertThat(byKey.values().stream().map(l -> l.get(0).getProviderTaskId()).distinct()).hasSize(30);
            assertThat(fixture.emulator.control().counters().tasksAccepted()).isEqualTo(30);

            final SubmissionOutcome one = byKey.get("happy-7").get(0);
            final URI callback = URI.create(callbackUrlOf(fixture, one.getProviderTaskId()));
            assertThat(callback.getPath()).isEqualTo("/bridge/callbacks/happy-7");
            final String token = callback.getQuery().substring("token=".length());
            assertThat(CallbackToken.withKey(GatewayFixture.HMAC_KEY.getBytes(StandardCharsets.UTF_8))
                    .verify("happy-7", token)).isTrue();
        }
    }

    private static String callbackUrlOf(final GatewayFixture fixture, final String taskId) throws Exception {
        final HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(fixture.emulator.baseUrl() + "/api/v1/vocal-removal/record-info?taskId=" + taskId))
                .header("Authorization", "Bearer " + GatewayFixture.API_KEY).build(),
                HttpResponse.BodyHandlers.ofString());
        final JsonNode root = new ObjectMapper().readTree(response.body());
        return root.path("data").path("callbackUrl").asText();
    }
}
