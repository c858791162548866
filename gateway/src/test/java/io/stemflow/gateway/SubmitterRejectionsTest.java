package io.stemflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.avro.SubmissionStatus;
import io.stemflow.gateway.provider.GenerateCall;
import io.stemflow.gateway.provider.ProviderClient;
import io.stemflow.gateway.provider.ProviderReply;
import io.stemflow.gateway.provider.RecordInfo;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * 400 and 413 reject a job at once with the provider's message; a 404 (wrong base URL) stops the gateway, reports
 * it and keeps the jobs.
 */
@WithKafkaStack
class SubmitterRejectionsTest {

    @Test
    void shouldRejectAtOnceWithProviderMessageWhenProviderAnswers400Or413(final TestStack stack) throws Exception {
        // given: generate bodies over 400 bytes are answered 413 (200-character ids are valid for the gateway)
        try (GatewayFixture fixture = GatewayFixture.start(stack, GatewayFixture.emulator().maxBodyBytes(400), 1)) {
            final TopicReader<SubmissionOutcome> outcomes = fixture.outcomes();
            // the gateway dead-letters a blank taskId itself (INVALID_RECORD): to get the provider's own 400 for a
            // job the gateway finds valid, the client in between blanks the taskId of that job on its way out
            fixture.gateway(Map.of(), http -> new BlankingTaskId(http, "music-invalid"));
            final List<SeparationRequest> requests = new ArrayList<>(GatewayFixture.requests("ok", 3));
            final SeparationRequest invalid = GatewayFixture.request("invalid", SeparationType.SPLIT_STEM,
                    "music-invalid", "audio-1");
            final SeparationRequest tooLong = GatewayFixture.request("too-long", SeparationType.SEPARATE_VOCAL,
                    "m".repeat(200), "a".repeat(200));
            requests.add(1, invalid);
            requests.add(3, tooLong);

            // when
            fixture.admit(requests);

            // then
            await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.poll().size() >= 5);
            final Map<String, List<SubmissionOutcome>> byKey = outcomes.byKey();
            assertThat(byKey.get("invalid")).singleElement().satisfies(o -> {
                assertThat(o.getStatus()).isEqualTo(SubmissionStatus.REJECTED);
                assertThat(o.getCode()).isEqualTo(400);
                assertThat(o.getMessage()).startsWith("Invalid parameters").contains("taskId");
                assertThat(o.getProviderCalls()).isEqualTo(1);
            });
            assertThat(byKey.get("too-long")).singleElement().satisfies(o -> {
                assertThat(o.getStatus()).isEqualTo(SubmissionStatus.REJECTED);
                assertThat(o.getCode()).isEqualTo(413);
                assertThat(o.getMessage()).isEqualTo("Input too long");
                assertThat(o.getProviderCalls()).isEqualTo(1);
            });
            assertThat(List.of("ok-0", "ok-1", "ok-2")).allSatisfy(id -> assertThat(byKey.get(id)).singleElement()
                    .satisfies(o -> assertThat(o.getStatus()).isEqualTo(SubmissionStatus.ACCEPTED)));
        }
    }

    @Test
    void shouldStopReportAndKeepJobsWhenProviderAnswers404(final TestStack stack) throws Exception {
        // given: a base URL with a wrong path, so every call answers 404
        try (GatewayFixture fixture = GatewayFixture.start(stack, GatewayFixture.emulator(), 2)) {
            final TopicReader<SubmissionOutcome> outcomes = fixture.outcomes();
            final Gateway wrong = fixture.gateway(Map.of(GatewayConfig.PROVIDER_BASE_URL,
                    fixture.emulator.baseUrl() + "/v0"));

            // when
            fixture.admit(GatewayFixture.requests("kept", 10));

            // then: DOWN with the reason, no outcome, only probe calls
            await().atMost(Duration.ofSeconds(30)).until(() -> fixture.emulator.control().counters().requests(404) >= 2);
            final HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(wrong.httpUrl() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(503);
            final JsonNode body = new ObjectMapper().readTree(health.body());
            assertThat(body.path("status").asText()).isEqualTo("DOWN");
            assertThat(body.path("reason").asText()).contains("404").contains("check the provider base URL");
            final long before = fixture.emulator.control().counters().requests(404);
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> outcomes.poll().isEmpty());
            // only one probe call per 300 ms while halted
            assertThat(fixture.emulator.control().counters().requests(404) - before).isLessThanOrEqualTo(5);

            // when: the configuration is fixed (same application and instance id)
            wrong.close();
            final Gateway fixed = fixture.gateway(Map.of());

            // then: every kept job goes through
            await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.poll().size() >= 10);
            assertThat(outcomes.byKey()).hasSize(10).allSatisfy((id, list) -> assertThat(list).singleElement()
                    .satisfies(o -> assertThat(o.getStatus()).isEqualTo(SubmissionStatus.ACCEPTED)));
            assertThat(fixed.health().report().status()).isEqualTo(GatewayHealth.Status.UP);
        }
    }

    /** The real client, except that one taskId is sent blank (a job the provider refuses, the gateway does not). */
    private record BlankingTaskId(ProviderClient http, String taskId) implements ProviderClient {

        @Override
        public ProviderReply<String> generate(final GenerateCall call) {
            return http.generate(call.taskId().equals(taskId)
                    ? new GenerateCall(" ", call.audioId(), call.type(), call.callBackUrl()) : call);
        }

        @Override
        public ProviderReply<RecordInfo> recordInfo(final String providerTaskId) {
            return http.recordInfo(providerTaskId);
        }

        @Override
        public ProviderReply<Long> credit() {
            return http.credit();
        }
    }
}
