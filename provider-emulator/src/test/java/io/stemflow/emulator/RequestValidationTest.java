package io.stemflow.emulator;

import static io.stemflow.emulator.support.TestConfigs.API_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.emulator.support.ApiClient;
import io.stemflow.emulator.support.ApiClient.Answer;
import io.stemflow.emulator.support.TestConfigs;
import io.stemflow.emulator.testing.ProviderEmulatorExtension;
import io.stemflow.emulator.time.ManualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Auth, paths, body validation, size, maintenance and injected 500s, answered in the provider's shape. */
class RequestValidationTest {

    private static final String CALLBACK = "http://127.0.0.1:9/cb";

    private final ManualTime time = new ManualTime(Instant.parse("2026-05-01T08:00:00Z"));

    @RegisterExtension
    final ProviderEmulatorExtension emulators = ProviderEmulatorExtension
            .starting(() -> TestConfigs.quick().maxBodyBytes(1_024).rateLimit(RateLimit.PROVIDER_DEFAULT).build())
            .withTime(() -> time);

    private ProviderEmulator emulator;
    private ApiClient client;

    @BeforeEach
    void start(final ProviderEmulator emulator) {
        this.emulator = emulator;
        client = new ApiClient(emulator.baseUrl());
    }

    @Test
    void shouldAnswer401WhenKeyIsMissingWrongOrNotBearer() {
        // when
        final List<Answer> answers = List.of(
                client.credit(null),
                client.credit("sk-not-a-key"),
                client.send("GET", "/api/v1/generate/credit", null, null),
                client.recordInfo("sk-test-012345678", "x"),
                client.generate(null, ApiClient.generateBody(null, CALLBACK)));

        // then
        assertThat(answers).allSatisfy(a -> {
            assertThat(a.code()).isEqualTo(401);
            assertThat(a.status()).isEqualTo(200);
        });
        assertThat(emulator.control().counters().requests(401)).isEqualTo(5);
        assertThat(emulator.control().counters().highestRequestsInWindow()).isZero();
    }

    @Test
    void shouldAnswer401AsHttpStatusWhenStatusMirrorsCode() {
        // given
        emulator.control().setHttpStatusMirrorsCode(true);

        // when
        final Answer answer = client.credit("wrong");

        // then
        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.code()).isEqualTo(401);
    }

    @Test
    void shouldAnswer404WhenPathOrMethodIsWrong() {
        // when
        final List<Answer> answers = List.of(
                client.get("/api/v1/vocal-removal/generate", API_KEY),
                client.send("POST", "/api/v1/generate/credit", API_KEY, "{}"),
                client.send("DELETE", "/api/v1/vocal-removal/record-info?taskId=x", API_KEY, null),
                client.get("/api/v1/vocal-removal/generat", API_KEY),
                client.get("/api/v2/generate/credit", null),
                client.get("/", null));

        // then
        assertThat(answers).allSatisfy(a -> assertThat(a.code()).isEqualTo(404));
        assertThat(emulator.control().counters().requests(404)).isEqualTo(6);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "not json",
        "[1, 2]",
        "{\"audioId\":\"a\",\"callBackUrl\":\"http://127.0.0.1:9/cb\"}",
        "{\"taskId\":\"\",\"audioId\":\"a\",\"callBackUrl\":\"http://127.0.0.1:9/cb\"}",
        "{\"taskId\":\"t\",\"audioId\":\"  \",\"callBackUrl\":\"http://127.0.0.1:9/cb\"}",
        "{\"taskId\":\"t\",\"audioId\":7,\"callBackUrl\":\"http://127.0.0.1:9/cb\"}",
        "{\"taskId\":\"t\",\"audioId\":\"a\",\"type\":\"karaoke\",\"callBackUrl\":\"http://127.0.0.1:9/cb\"}",
        "{\"taskId\":\"t\",\"audioId\":\"a\",\"type\":5,\"callBackUrl\":\"http://127.0.0.1:9/cb\"}",
        "{\"taskId\":\"t\",\"audioId\":\"a\",\"type\":\"split_stem\"}",
        "{\"taskId\":\"t\",\"audioId\":\"a\",\"callBackUrl\":\"ftp://127.0.0.1/cb\"}",
        "{\"taskId\":\"t\",\"audioId\":\"a\",\"callBackUrl\":\"/callbacks/relative\"}",
        "{\"taskId\":\"t\",\"audioId\":\"a\",\"callBackUrl\":\"http://exa mple/\"}",
        "{\"taskId\":\"t\",\"audioId\":\"a\",\"callBackUrl\":\"mailto:someone@example.com\"}"
    })
    void shouldAnswer400AndChargeNothingWhenBodyIsInvalid(final String body) {
        // when
        final Answer answer = client.generateRaw(API_KEY, body);

        // then
        assertThat(answer.code()).isEqualTo(400);
        assertThat(answer.body().path("msg").asText()).startsWith("Invalid parameters");
        assertThat(emulator.control().counters().tasksAccepted()).isZero();
        assertThat(emulator.control().credits(API_KEY)).isEqualTo(10_000);
    }

    @Test
    void shouldDefaultToSeparateVocalWhenTypeIsAbsent() {
        // when
        final Answer answer = client.generate(API_KEY, ApiClient.generateBody(null, "https://127.0.0.1:9/cb"));

        // then
        assertThat(answer.code()).isEqualTo(200);
        assertThat(emulator.control().credits(API_KEY)).isEqualTo(10_000 - 10);
    }

    @Test
    void shouldAnswer413WhenBodyIsLargerThanTheLimit() {
        // given a valid body of more than 1024 bytes
        final var body = ApiClient.generateBody("split_stem", CALLBACK).put("audioId", "a".repeat(1_100));

        // when
        final Answer answer = client.generate(API_KEY, body);

        // then
        assertThat(answer.code()).isEqualTo(413);
        assertThat(emulator.control().counters().tasksAccepted()).isZero();
    }

    @Test
    void shouldAnswer455OnEveryEndpointWhenMaintenanceIsOn() {
        // given
        emulator.control().setMaintenance(true);

        // when
        final List<Answer> answers = List.of(client.credit(API_KEY), client.recordInfo(API_KEY, "x"),
                client.generate(API_KEY, ApiClient.generateBody(null, CALLBACK)));
        emulator.control().setMaintenance(false);
        final Answer after = client.credit(API_KEY);

        // then
        assertThat(answers).allSatisfy(a -> assertThat(a.code()).isEqualTo(455));
        assertThat(after.code()).isEqualTo(200);
        assertThat(emulator.control().counters().highestRequestsInWindow()).isEqualTo(1);
    }

    @Test
    void shouldAnswer455OnlyWhenInsideAScheduledMaintenanceWindow() {
        // given a window [now + 1 min, now + 3 min)
        emulator.control().scheduleMaintenanceIn(Duration.ofMinutes(1), Duration.ofMinutes(2));

        // when
        final List<Integer> codes = new ArrayList<>();
        codes.add(client.credit(API_KEY).code());
        time.advance(Duration.ofMinutes(1));
        codes.add(client.credit(API_KEY).code());
        time.advance(Duration.ofMillis(119_999));
        codes.add(client.credit(API_KEY).code());
        time.advance(Duration.ofMillis(1));
        codes.add(client.credit(API_KEY).code());

        // then
        assertThat(codes).containsExactly(200, 455, 455, 200);
        assertThat(emulator.control().maintenanceWindows()).isEmpty();
    }

    @Test
    void shouldAnswer430WithoutTouchingTheRateWindowWhenInsideABurst() {
        // given a burst [now + 10 s, now + 40 s)
        emulator.control().scheduleBurstIn(Duration.ofSeconds(10), Duration.ofSeconds(30));

        // when
        final List<Integer> codes = new ArrayList<>();
        codes.add(client.credit(API_KEY).code());
        time.advance(Duration.ofSeconds(10));
        final boolean activeInside = emulator.control().burstActive();
        codes.add(client.credit(API_KEY).code());
        codes.add(client.generate(API_KEY, ApiClient.generateBody(null, CALLBACK)).code());
        codes.add(client.recordInfo(API_KEY, "x").code());
        time.advance(Duration.ofMillis(29_999));
        codes.add(client.credit(API_KEY).code());
        time.advance(Duration.ofMillis(1));
        codes.add(client.credit(API_KEY).code());

        // then
        assertThat(activeInside).isTrue();
        assertThat(codes).containsExactly(200, 430, 430, 430, 430, 200);
        assertThat(emulator.control().counters().requests(430)).isEqualTo(4);
        assertThat(emulator.control().counters().highestRequestsInWindow()).isEqualTo(1);
        assertThat(emulator.control().burstWindows()).isEmpty();
        assertThat(emulator.control().burstActive()).isFalse();
    }

    @Test
    void shouldAnswer455NotBurst430WhenMaintenanceAndBurstOverlap() {
        // given
        emulator.control().scheduleBurstIn(Duration.ZERO, Duration.ofSeconds(30));
        emulator.control().scheduleMaintenanceIn(Duration.ZERO, Duration.ofSeconds(10));

        // when
        final int during = client.credit(API_KEY).code();
        time.advance(Duration.ofSeconds(10));
        final int after = client.credit(API_KEY).code();

        // then
        assertThat(during).isEqualTo(455);
        assertThat(after).isEqualTo(430);
    }

    @Test
    void shouldAnswer500AtTheConfiguredShareWhenSeeded() {
        // given
        emulator.control().setRateLimit(new RateLimit(10_000, Duration.ofSeconds(1), 430));
        emulator.control().setFaults(FaultShares.NONE.withServerErrors(0.3));

        // when
        int errors = 0;
        for (int i = 0; i < 400; i++) {
            errors += client.credit(API_KEY).code() == 500 ? 1 : 0;
        }

        // then 120 expected; sd about 9
        assertThat(errors).isBetween(90, 150);
        assertThat(emulator.control().counters().requests(500)).isEqualTo(errors);
    }

    @Test
    void shouldAnswer400WhenRecordInfoNamesNoTaskOrAnotherKeysTask() {
        // when
        final Answer missing = client.get("/api/v1/vocal-removal/record-info", API_KEY);
        final Answer unknown = client.recordInfo(API_KEY, "0123456789abcdef0123456789abcdef");

        // then
        assertThat(missing.code()).isEqualTo(400);
        assertThat(unknown.code()).isEqualTo(400);
    }
}
