package io.stemflow.emulator;

import static io.stemflow.emulator.support.TestConfigs.API_KEY;
import static io.stemflow.emulator.support.TestConfigs.OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.emulator.support.ApiClient;
import io.stemflow.emulator.support.ApiClient.Answer;
import io.stemflow.emulator.support.TestConfigs;
import io.stemflow.emulator.time.ManualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-key sliding window: exact, driven by a manual clock (no sleeping). */
class RateWindowTest {

    private static final RateLimit PROVIDER = RateLimit.PROVIDER_DEFAULT;

    private final ManualTime time = new ManualTime(Instant.parse("2026-03-01T12:00:00Z"));

    private ProviderEmulator start(final EmulatorConfig.Builder config) {
        return ProviderEmulator.start(config.rateLimit(PROVIDER).build(), time);
    }

    private static List<Integer> codes(final ApiClient client, final int calls) {
        final List<Integer> codes = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            codes.add(client.credit(API_KEY).code());
        }
        return codes;
    }

    @Test
    void shouldRefuseExactlyOneWhenNPlusOneRequestsArriveInsideOneWindow() {
        try (ProviderEmulator emulator = start(TestConfigs.quick())) {
            final ApiClient client = new ApiClient(emulator.baseUrl());

            // when 21 calls inside one 10 s window
            final List<Integer> codes = codes(client, 20);
            time.advance(Duration.ofMillis(9_999));
            codes.add(client.credit(API_KEY).code());

            // then
            assertThat(codes.subList(0, 20)).containsOnly(200);
            assertThat(codes.get(20)).isEqualTo(430);
            final EmulatorCounters counters = emulator.control().counters();
            assertThat(counters.requests(430)).isEqualTo(1);
            assertThat(counters.requests(200)).isEqualTo(20);
            assertThat(counters.highestRequestsInWindow()).isEqualTo(20);
        }
    }

    @Test
    void shouldAcceptAgainWhenTheWindowHasPassed() {
        try (ProviderEmulator emulator = start(TestConfigs.quick())) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            codes(client, 20);

            // when refused calls keep coming during the window, then the window passes
            time.advance(Duration.ofSeconds(5));
            final List<Integer> during = codes(client, 5);
            time.advance(Duration.ofMillis(4_999));
            final int justBefore = client.credit(API_KEY).code();
            time.advance(Duration.ofMillis(1));
            final List<Integer> after = codes(client, 21);

            // then refused calls did not consume the window: a full window is free exactly 10 s after the first 20
            assertThat(during).containsOnly(430);
            assertThat(justBefore).isEqualTo(430);
            assertThat(after.subList(0, 20)).containsOnly(200);
            assertThat(after.get(20)).isEqualTo(430);
            assertThat(emulator.control().counters().highestRequestsInWindow()).isEqualTo(20);
        }
    }

    @Test
    void shouldSlideTheWindowWhenRequestsAreSpreadOverIt() {
        try (ProviderEmulator emulator = start(TestConfigs.quick())) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            // given 10 calls at t0 and 10 at t0 + 5 s
            codes(client, 10);
            time.advance(Duration.ofSeconds(5));
            codes(client, 10);

            // when
            time.advance(Duration.ofSeconds(4));
            final int atNine = client.credit(API_KEY).code();
            time.advance(Duration.ofSeconds(1));
            final List<Integer> atTen = codes(client, 11);

            // then at t0 + 10 s only the first ten have left the window
            assertThat(atNine).isEqualTo(430);
            assertThat(atTen.subList(0, 10)).containsOnly(200);
            assertThat(atTen.get(10)).isEqualTo(430);
        }
    }

    @Test
    void shouldShareOneWindowWhenGenerateRecordInfoAndCreditAreMixed() {
        try (ProviderEmulator emulator = start(TestConfigs.quick())) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            final String taskId = client.generate(API_KEY,
                    ApiClient.generateBody("separate_vocal", "http://127.0.0.1:9/unused")).taskId();

            // when
            final List<Integer> codes = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                codes.add(client.recordInfo(API_KEY, taskId).code());
                codes.add(client.credit(API_KEY).code());
            }
            codes.add(client.generate(API_KEY, ApiClient.generateBody(null, "http://127.0.0.1:9/unused")).code());
            final Answer refused = client.generate(API_KEY, ApiClient.generateBody(null, "http://127.0.0.1:9/unused"));

            // then 1 + 18 + 1 = 20 accepted, the 21st refused, and the refused generate was not charged
            assertThat(codes).containsOnly(200);
            assertThat(refused.code()).isEqualTo(430);
            assertThat(emulator.control().counters().tasksAccepted()).isEqualTo(2);
            assertThat(emulator.control().credits(API_KEY)).isEqualTo(10_000 - 2 * 10);
        }
    }

    @Test
    void shouldLimitEachKeySeparatelyWhenTwoKeysAreUsed() {
        try (ProviderEmulator emulator = start(TestConfigs.quick().apiKey(OTHER_KEY))) {
            final ApiClient client = new ApiClient(emulator.baseUrl());

            // when
            codes(client, 20);
            final int firstKeyRefused = client.credit(API_KEY).code();
            final int otherKey = client.credit(OTHER_KEY).code();

            // then
            assertThat(firstKeyRefused).isEqualTo(430);
            assertThat(otherKey).isEqualTo(200);
        }
    }

    @Test
    void shouldAnswer405WithHttpStatusWhenConfiguredSo() {
        try (ProviderEmulator emulator = start(TestConfigs.quick())) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            emulator.control().setRateLimit(new RateLimit(2, Duration.ofSeconds(10), 405));
            codes(client, 2);

            // when
            final Answer inBodyOnly = client.credit(API_KEY);
            emulator.control().setHttpStatusMirrorsCode(true);
            final Answer mirrored = client.credit(API_KEY);

            // then
            assertThat(inBodyOnly.status()).isEqualTo(200);
            assertThat(inBodyOnly.code()).isEqualTo(405);
            assertThat(mirrored.status()).isEqualTo(405);
            assertThat(mirrored.code()).isEqualTo(405);
            assertThat(mirrored.body().path("msg").asText()).isEqualTo("Rate limit exceeded");
        }
    }

    @Test
    void shouldCarry430AsHttpStatusWhenStatusMirrorsCode() {
        try (ProviderEmulator emulator = start(TestConfigs.quick().httpStatusMirrorsCode(true))) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            codes(client, 20);

            // when
            final Answer refused = client.credit(API_KEY);

            // then
            assertThat(refused.status()).isEqualTo(430);
            assertThat(refused.code()).isEqualTo(430);
        }
    }

    @Test
    void shouldApplyANewWindowWhenItIsSetAtRuntime() {
        try (ProviderEmulator emulator = start(TestConfigs.quick())) {
            final ApiClient client = new ApiClient(emulator.baseUrl());

            // when the limit is lowered to 3 per second
            emulator.control().setRateLimit(new RateLimit(3, Duration.ofSeconds(1), 430));
            final List<Integer> first = codes(client, 4);
            time.advance(Duration.ofSeconds(1));
            final List<Integer> second = codes(client, 4);

            // then
            assertThat(first).containsExactly(200, 200, 200, 430);
            assertThat(second).containsExactly(200, 200, 200, 430);
            assertThat(emulator.control().counters().highestRequestsInWindow()).isEqualTo(3);
        }
    }
}
