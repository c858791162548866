package io.stemflow.emulator;

import static io.stemflow.emulator.support.TestConfigs.API_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.emulator.support.ApiClient;
import io.stemflow.emulator.support.CallbackReceiver;
import io.stemflow.emulator.support.CallbackReceiver.Received;
import io.stemflow.emulator.support.TestConfigs;
import io.stemflow.emulator.testing.WithProviderEmulator;
import io.stemflow.emulator.time.ManualTime;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Callbacks reach a real HTTP endpoint, signed when configured, and are retried per the provider's schedule. */
@WithProviderEmulator
class CallbackDeliveryTest {

    private static final Instant T0 = Instant.parse("2026-02-02T10:00:00Z");

    private CallbackReceiver receiver;

    @BeforeEach
    void useReceiver(final CallbackReceiver receiver) {
        this.receiver = receiver;
    }

    @Test
    void shouldPostSignedCallbackWithTheTasksStemsWhenWebhookKeyIsSet() throws Exception {
        // given
        final String webhookKey = "whsec-test-key";
        try (ProviderEmulator emulator = ProviderEmulator.start(TestConfigs.quick().webhookKey(webhookKey).build())) {
            final ApiClient client = new ApiClient(emulator.baseUrl());

            // when
            final String taskId = client.generate(API_KEY, ApiClient.generateBody("separate_vocal",
                    receiver.url("signed?sig=abc"))).taskId();
            await().atMost(Duration.ofSeconds(10)).until(() -> !receiver.receivedOn("signed").isEmpty());

            // then
            final Received callback = receiver.receivedOn("signed").get(0);
            assertThat(callback.header("Content-Type")).startsWith("application/json");
            assertThat(callback.taskId()).isEqualTo(taskId);
            assertThat(callback.body().path("code").asInt()).isEqualTo(200);
            assertThat(callback.body().at("/data/vocal_removal_info/vocal_url").asText()).endsWith("/vocal.wav");
            assertThat(callback.body().at("/data/vocal_removal_info/instrumental_url").asText())
                    .endsWith("/instrumental.wav");
            final long timestamp = Long.parseLong(callback.header("X-Webhook-Timestamp"));
            assertThat(Math.abs(timestamp - Instant.now().getEpochSecond())).isLessThan(60);
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(webhookKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            final String expected = Base64.getEncoder().encodeToString(
                    mac.doFinal((taskId + "." + timestamp).getBytes(StandardCharsets.UTF_8)));
            assertThat(callback.header("X-Webhook-Signature")).isEqualTo(expected);
            final EmulatorCounters counters = emulator.control().counters();
            assertThat(counters.callbacksAttempted()).isEqualTo(1);
            assertThat(counters.callbacksDelivered()).isEqualTo(1);
            assertThat(counters.tasksSucceeded()).isEqualTo(1);
        }
    }

    @Test
    void shouldNotSignCallbacksWhenNoWebhookKeyIsSet() {
        try (ProviderEmulator emulator = ProviderEmulator.start(TestConfigs.quick().build())) {
            // when
            new ApiClient(emulator.baseUrl()).generate(API_KEY, ApiClient.generateBody(null, receiver.url("plain")));
            await().atMost(Duration.ofSeconds(10)).until(() -> !receiver.receivedOn("plain").isEmpty());

            // then
            assertThat(receiver.receivedOn("plain").get(0).header("X-Webhook-Signature")).isNull();
        }
    }

    @Test
    void shouldRetryAfterOneFiveAndFifteenMinutesWhenDeliveriesFail() {
        // given unscaled provider schedule on a manual clock; the receiver fails the first three attempts
        receiver.answer(attempt -> attempt.previousAttempts() < 3 ? 500 : 200);
        final ManualTime time = new ManualTime(T0);
        try (ProviderEmulator emulator = ProviderEmulator.start(TestConfigs.quick().timeScale(1.0)
                .processingTime(ProcessingTime.fixed(Duration.ofSeconds(30))).build(), time)) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            final String taskId = client.generate(API_KEY, ApiClient.generateBody("split_stem",
                    receiver.url("retried"))).taskId();
            final EmulatorControl control = emulator.control();

            // when / then: first attempt at completion
            time.advance(Duration.ofSeconds(30));
            assertThat(control.counters().callbacksAttempted()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> control.counters().callbackAttemptsFailed() == 1);

            // retry 1: not before 1 min after the failure, exactly then
            expectAttemptAfter(time, control, Duration.ofMinutes(1), 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> control.counters().callbackAttemptsFailed() == 2);
            // retry 2: 5 min after the second failure
            expectAttemptAfter(time, control, Duration.ofMinutes(5), 3);
            await().atMost(Duration.ofSeconds(10)).until(() -> control.counters().callbackAttemptsFailed() == 3);
            // retry 3: 15 min after the third failure, and this one is accepted
            expectAttemptAfter(time, control, Duration.ofMinutes(15), 4);
            await().atMost(Duration.ofSeconds(10)).until(() -> control.counters().callbacksDelivered() == 1);

            final List<Received> received = receiver.receivedOn("retried");
            assertThat(received).hasSize(4);
            assertThat(received).extracting(Received::body).containsOnly(received.get(0).body());
            assertThat(client.recordInfo(API_KEY, taskId).body().at("/data/successFlag").asText()).isEqualTo("SUCCESS");
            assertThat(control.counters().callbacksGivenUp()).isZero();
        }
    }

    private static void expectAttemptAfter(final ManualTime time, final EmulatorControl control, final Duration delay,
                                           final long attemptsThen) {
        time.advance(delay.minusMillis(1));
        assertThat(control.counters().callbacksAttempted()).as("attempts 1 ms before %s", delay)
                .isEqualTo(attemptsThen - 1);
        time.advance(Duration.ofMillis(1));
        assertThat(control.counters().callbacksAttempted()).as("attempts at %s", delay).isEqualTo(attemptsThen);
    }

    @Test
    void shouldGiveUpAndReportCallbackExceptionWhenEveryDeliveryFails() {
        // given a receiver that always fails
        receiver.answer(attempt -> 503);
        final ManualTime time = new ManualTime(T0);
        try (ProviderEmulator emulator = ProviderEmulator.start(TestConfigs.quick().timeScale(1.0)
                .processingTime(ProcessingTime.fixed(Duration.ofSeconds(10))).build(), time)) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            final String taskId = client.generate(API_KEY, ApiClient.generateBody("separate_vocal",
                    receiver.url("failing"))).taskId();
            final EmulatorControl control = emulator.control();

            // when
            time.advance(Duration.ofSeconds(10));
            for (final Duration retry : List.of(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15))) {
                final long failed = control.counters().callbackAttemptsFailed() + 1;
                await().atMost(Duration.ofSeconds(10)).until(() -> control.counters().callbackAttemptsFailed() == failed);
                assertThat(client.recordInfo(API_KEY, taskId).body().at("/data/successFlag").asText())
                        .isEqualTo("SUCCESS");
                time.advance(retry);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> control.counters().callbacksGivenUp() == 1);

            // then
            assertThat(receiver.receivedOn("failing")).hasSize(4);
            assertThat(control.counters().callbackAttemptsFailed()).isEqualTo(4);
            final var data = client.recordInfo(API_KEY, taskId).body().path("data");
            assertThat(data.path("successFlag").asText()).isEqualTo("CALLBACK_EXCEPTION");
            assertThat(data.at("/response/vocalUrl").asText())
                    .isEqualTo(receiver.receivedOn("failing").get(0).body().at("/data/vocal_removal_info/vocal_url").asText());
            time.advance(Duration.ofHours(1));
            assertThat(control.counters().callbacksAttempted()).isEqualTo(4);
        }
    }

    @Test
    void shouldSpaceRetriesByTheScaledScheduleWhenRunningOnTheWallClock() {
        // given the provider schedule scaled by 0.001: 60 ms, 300 ms, 900 ms
        receiver.answer(attempt -> attempt.previousAttempts() < 3 ? 500 : 204);
        try (ProviderEmulator emulator = ProviderEmulator.start(TestConfigs.quick().timeScale(0.001).build())) {
            // when
            new ApiClient(emulator.baseUrl()).generate(API_KEY, ApiClient.generateBody(null, receiver.url("scaled")));
            await().atMost(Duration.ofSeconds(15)).until(() -> emulator.control().counters().callbacksDelivered() == 1);

            // then each gap is at least the scaled delay (and not wildly more)
            final List<Received> received = receiver.receivedOn("scaled");
            assertThat(received).hasSize(4);
            final long[] expectedMillis = {60, 300, 900};
            for (int i = 0; i < 3; i++) {
                final long gapMillis = (received.get(i + 1).nanoTime() - received.get(i).nanoTime()) / 1_000_000;
                assertThat(gapMillis).as("gap before retry %d", i + 1)
                        .isGreaterThanOrEqualTo(expectedMillis[i] - 5)
                        .isLessThan(expectedMillis[i] + 5_000);
            }
        }
    }

    @Test
    void shouldCountAFailedDeliveryWhenTheConnectionIsRefused() throws IOException {
        // given a port nobody listens on, and no retries
        final int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (ProviderEmulator emulator = ProviderEmulator.start(TestConfigs.quick().retrySchedule(List.of()).build())) {
            final ApiClient client = new ApiClient(emulator.baseUrl());

            // when
            final String taskId = client.generate(API_KEY,
                    ApiClient.generateBody(null, "http://127.0.0.1:" + closedPort + "/nobody")).taskId();
            await().atMost(Duration.ofSeconds(10)).until(() -> emulator.control().counters().callbacksGivenUp() == 1);

            // then
            assertThat(emulator.control().counters().callbackAttemptsFailed()).isEqualTo(1);
            assertThat(client.recordInfo(API_KEY, taskId).body().at("/data/successFlag").asText())
                    .isEqualTo("CALLBACK_EXCEPTION");
        }
    }
}
