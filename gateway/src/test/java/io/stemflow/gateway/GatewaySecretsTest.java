package io.stemflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.avro.SubmissionStatus;
import io.stemflow.emulator.FaultShares;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A wrong API key (401) stops the gateway, which says why on {@code /health} and keeps every job; once the key
 * file holds the right key, the next probe resumes and every job goes through. Neither key nor the callback HMAC
 * key appears in anything logged during the run (at DEBUG, failures and stack traces included), in the metrics,
 * in the health answer or in the bytes written to the topic.
 */
@WithKafkaStack
class GatewaySecretsTest {

    private static final String WRONG_KEY = "sk-wrong-key-93b1f0c7d2e4a6";

    @Test
    void shouldHaltReportAndResumeWithoutEverShowingASecretWhenApiKeyIsWrongThenFixed(final TestStack stack,
                                                                                      @TempDir final Path dir)
            throws Exception {
        final List<String> exposed = new ArrayList<>();
        try (LogCapture logs = LogCapture.open();
             GatewayFixture fixture = GatewayFixture.start(stack, GatewayFixture.emulator()
                     .faults(FaultShares.NONE.withServerErrors(0.2)), 2)) {
            // given: the key comes from a file that holds a wrong key
            final Path keyFile = dir.resolve("api-key");
            Files.writeString(keyFile, WRONG_KEY + "\n");
            final TopicReader<SubmissionOutcome> outcomes = fixture.outcomes();
            final Gateway gateway = fixture.gateway(Map.of(GatewayConfig.PROVIDER_API_KEY, "",
                    GatewayConfig.PROVIDER_API_KEY_FILE, keyFile.toString()));

            // when
            fixture.admit(GatewayFixture.requests("secret", 12));

            // then: DOWN with the reason, no outcome
            await().atMost(Duration.ofSeconds(30)).until(() -> !gateway.health().report().healthy());
            final HttpResponse<String> health = get(gateway.httpUrl(), "/health");
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("\"status\":\"DOWN\"").contains("401").contains("check the API key");
            await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3)).until(() -> outcomes.poll().isEmpty());
            exposed.add(health.body());

            // when: the key file is fixed
            Files.writeString(keyFile, GatewayFixture.API_KEY + "\n");

            // then
            await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.poll().size() >= 12);
            assertThat(outcomes.byKey()).hasSize(12).allSatisfy((id, list) -> assertThat(list).singleElement()
                    .satisfies(o -> assertThat(o.getStatus()).isIn(SubmissionStatus.ACCEPTED,
                            SubmissionStatus.REJECTED)));
            assertThat(gateway.health().report().healthy()).isTrue();
            exposed.add(get(gateway.httpUrl(), "/health").body());
            exposed.add(get(gateway.httpUrl(), "/metrics").body());
            gateway.close();
            exposed.addAll(rawTopic(fixture));
            exposed.addAll(logs.lines());
        }

        // then: no secret anywhere
        assertThat(exposed).isNotEmpty();
        assertThat(String.join("\n", exposed))
                .contains("401")
                .doesNotContain(GatewayFixture.API_KEY)
                .doesNotContain(WRONG_KEY)
                .doesNotContain(GatewayFixture.HMAC_KEY);
    }

    private static HttpResponse<String> get(final URI base, final String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + path))
                        .header("Authorization", "Bearer " + GatewayFixture.VIEWER_TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> rawTopic(final GatewayFixture fixture) {
        try (TopicReader<byte[]> raw = new TopicReader<>(
                fixture.stack.consumerConfig(fixture.stack.uniqueTopic("raw")), fixture.submissions,
                new ByteArrayDeserializer())) {
            final List<String> texts = new ArrayList<>();
            for (final ConsumerRecord<String, byte[]> record : raw.readToEnd(Duration.ofSeconds(30))) {
                texts.add(record.key() + " " + new String(record.value(), StandardCharsets.ISO_8859_1));
            }
            assertThat(texts).hasSize(12);
            return texts;
        }
    }
}
