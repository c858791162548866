package io.stemflow.emulator;

import static io.stemflow.emulator.support.TestConfigs.API_KEY;
import static io.stemflow.emulator.support.TestConfigs.OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.stemflow.emulator.support.ApiClient;
import io.stemflow.emulator.support.CallbackReceiver;
import io.stemflow.emulator.support.TestConfigs;
import io.stemflow.emulator.testing.WithProviderEmulator;
import io.stemflow.emulator.time.ManualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** record-info is PENDING until completion, then agrees with what the callback carried. */
@WithProviderEmulator
class RecordInfoTest {

    private static final Instant T0 = Instant.parse("2026-09-09T09:00:00Z");

    private CallbackReceiver receiver;
    private final ManualTime time = new ManualTime(T0);

    @BeforeEach
    void useReceiver(final CallbackReceiver receiver) {
        this.receiver = receiver;
    }

    @Test
    void shouldReportTheCallbacksUrlsWhenPendingTaskCompletes() {
        try (ProviderEmulator emulator = ProviderEmulator.start(TestConfigs.quick()
                .processingTime(ProcessingTime.uniform(Duration.ofSeconds(30), Duration.ofSeconds(90))).build(), time)) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            final String taskId = client.generate(API_KEY, ApiClient.generateBody("split_stem", receiver.url("ri")))
                    .taskId();

            // when: step a second at a time until the callback is sent
            int pendingSeconds = 0;
            while (client.recordInfo(API_KEY, taskId).body().at("/data/successFlag").asText().equals("PENDING")) {
                assertThat(emulator.control().counters().callbacksAttempted()).isZero();
                time.advance(Duration.ofSeconds(1));
                pendingSeconds++;
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.receivedOn("ri").size() == 1);

            // then
            assertThat(pendingSeconds).isBetween(30, 90);
            final JsonNode data = client.recordInfo(API_KEY, taskId).body().path("data");
            final JsonNode callback = receiver.receivedOn("ri").get(0).body().at("/data/vocal_removal_info");
            assertThat(data.path("successFlag").asText()).isEqualTo("SUCCESS");
            assertThat(data.path("createTime").asLong()).isEqualTo(T0.toEpochMilli());
            assertThat(data.path("completeTime").asLong() - data.path("createTime").asLong())
                    .isBetween(29_000L, 90_000L);
            for (final Stem stem : SeparationMode.SPLIT_STEM.stems()) {
                assertThat(data.path("response").path(stem.recordInfoKey()).asText())
                        .isEqualTo(callback.path(stem.callbackKey()).asText());
            }
            assertThat(data.at("/response/originData")).hasSize(12);
            assertThat(data.at("/response/pianoUrl").isNull()).isTrue();
            assertThat(data.path("musicId").asText()).isEqualTo("audio-1");
            assertThat(data.path("callbackUrl").asText()).isEqualTo(receiver.url("ri"));
        }
    }

    @ParameterizedTest(name = "code {0} -> {1}")
    @CsvSource({"451, GENERATE_AUDIO_FAILED", "500, GENERATE_AUDIO_FAILED", "400, CREATE_TASK_FAILED"})
    void shouldReportTheFailureTheCallbackCarriedWhenTheTaskFails(final int code, final String flag) {
        try (ProviderEmulator emulator = ProviderEmulator.start(TestConfigs.quick()
                .faults(FaultShares.NONE.withTaskFailures(1.0)).failureCodes(List.of(code))
                .processingTime(ProcessingTime.fixed(Duration.ofSeconds(5))).build(), time)) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            final String taskId = client.generate(API_KEY, ApiClient.generateBody(null, receiver.url("fail"))).taskId();

            // when
            time.advance(Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.receivedOn("fail").size() == 1);

            // then
            final JsonNode callback = receiver.receivedOn("fail").get(0).body();
            final JsonNode data = client.recordInfo(API_KEY, taskId).body().path("data");
            assertThat(callback.path("code").asInt()).isEqualTo(code);
            assertThat(data.path("successFlag").asText()).isEqualTo(flag);
            assertThat(data.path("errorCode").asInt()).isEqualTo(code);
            assertThat(data.path("errorMessage").asText()).isEqualTo(callback.path("msg").asText());
            assertThat(data.path("response").isNull()).isTrue();
            assertThat(emulator.control().counters().tasksFailed()).isEqualTo(1);
        }
    }

    @Test
    void shouldAnswer400WhenAnotherKeyAsksForTheTask() {
        try (ProviderEmulator emulator = ProviderEmulator.start(TestConfigs.quick().apiKey(OTHER_KEY).build(), time)) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            final String taskId = client.generate(API_KEY, ApiClient.generateBody(null, receiver.url("k"))).taskId();

            // when
            final int own = client.recordInfo(API_KEY, taskId).code();
            final int other = client.recordInfo(OTHER_KEY, taskId).code();

            // then
            assertThat(own).isEqualTo(200);
            assertThat(other).isEqualTo(400);
        }
    }
}
