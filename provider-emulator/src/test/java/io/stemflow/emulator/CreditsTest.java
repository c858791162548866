package io.stemflow.emulator;

import static io.stemflow.emulator.support.TestConfigs.API_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.emulator.support.ApiClient;
import io.stemflow.emulator.support.ApiClient.Answer;
import io.stemflow.emulator.support.TestConfigs;
import io.stemflow.emulator.time.ManualTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Credits are charged per accepted task and answered with 429 when they cannot cover one. */
class CreditsTest {

    private static final String CALLBACK = "http://127.0.0.1:9/never-called";

    @Test
    void shouldAcceptSplitStemAndSeparateVocalThenRefuseWhenAccountHas60Credits() {
        // given 60 credits, costs 50 and 10; time never advances, so no callback is sent
        try (ProviderEmulator emulator = ProviderEmulator.start(TestConfigs.quick().initialCredits(60).build(),
                new ManualTime(Instant.parse("2026-01-01T00:00:00Z")))) {
            final ApiClient client = new ApiClient(emulator.baseUrl());

            // when
            final Answer split = client.generate(API_KEY, ApiClient.generateBody("split_stem", CALLBACK));
            final Answer vocal = client.generate(API_KEY, ApiClient.generateBody("separate_vocal", CALLBACK));
            final Answer refused = client.generate(API_KEY, ApiClient.generateBody("separate_vocal", CALLBACK));
            final Answer balance = client.credit(API_KEY);

            // then
            assertThat(split.code()).isEqualTo(200);
            assertThat(vocal.code()).isEqualTo(200);
            assertThat(refused.code()).isEqualTo(429);
            assertThat(refused.body().path("msg").asText()).isEqualTo("Insufficient credits");
            assertThat(balance.body().path("data").asLong()).isZero();
            final EmulatorCounters counters = emulator.control().counters();
            assertThat(counters.tasksAccepted()).isEqualTo(2);
            assertThat(counters.creditsCharged()).isEqualTo(60);
            assertThat(counters.requests(429)).isEqualTo(1);
        }
    }

    @Test
    void shouldAcceptAgainWhenCreditsAreToppedUpThroughTheAdminApi() {
        try (ProviderEmulator emulator = ProviderEmulator.start(TestConfigs.quick().initialCredits(60).build(),
                new ManualTime(Instant.parse("2026-01-01T00:00:00Z")))) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            client.generate(API_KEY, ApiClient.generateBody("split_stem", CALLBACK));
            client.generate(API_KEY, ApiClient.generateBody("separate_vocal", CALLBACK));
            assertThat(client.generate(API_KEY, ApiClient.generateBody("split_stem", CALLBACK)).code()).isEqualTo(429);

            // when
            final Answer topUp = client.admin("POST", "/admin/credits/top-up", null,
                    "{\"apiKey\":\"" + API_KEY + "\",\"amount\":50}");
            final Answer accepted = client.generate(API_KEY, ApiClient.generateBody("split_stem", CALLBACK));
            final Answer refusedAgain = client.generate(API_KEY, ApiClient.generateBody("separate_vocal", CALLBACK));

            // then
            assertThat(topUp.status()).isEqualTo(200);
            assertThat(topUp.body().path("credits").asLong()).isEqualTo(50);
            assertThat(topUp.body().toString()).doesNotContain(API_KEY);
            assertThat(accepted.code()).isEqualTo(200);
            assertThat(refusedAgain.code()).isEqualTo(429);
        }
    }

    @Test
    void shouldChargeEveryAcceptedCallWhenTheSameAudioIsSubmittedTwice() {
        try (ProviderEmulator emulator = ProviderEmulator.start(TestConfigs.quick().initialCredits(100)
                .costSeparateVocal(7).build(), new ManualTime(Instant.parse("2026-01-01T00:00:00Z")))) {
            final ApiClient client = new ApiClient(emulator.baseUrl());

            // when
            final String first = client.generate(API_KEY, ApiClient.generateBody("separate_vocal", CALLBACK)).taskId();
            final String second = client.generate(API_KEY, ApiClient.generateBody("separate_vocal", CALLBACK)).taskId();

            // then two tasks, two charges at the configured cost
            assertThat(first).isNotEqualTo(second);
            assertThat(emulator.control().credits(API_KEY)).isEqualTo(86);
        }
    }

    @Test
    void shouldAcceptAgainWhenCreditsAreSetThroughTheJavaControl() {
        try (ProviderEmulator emulator = ProviderEmulator.start(TestConfigs.quick().initialCredits(0).build(),
                new ManualTime(Instant.parse("2026-01-01T00:00:00Z")))) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            assertThat(client.generate(API_KEY, ApiClient.generateBody(null, CALLBACK)).code()).isEqualTo(429);

            // when
            emulator.control().setCredits(API_KEY, 10);

            // then
            assertThat(client.credit(API_KEY).body().path("data").asLong()).isEqualTo(10);
            assertThat(client.generate(API_KEY, ApiClient.generateBody(null, CALLBACK)).code()).isEqualTo(200);
            assertThat(client.generate(API_KEY, ApiClient.generateBody(null, CALLBACK)).code()).isEqualTo(429);
        }
    }
}
