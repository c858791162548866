package io.stemflow.emulator;

import static io.stemflow.emulator.support.TestConfigs.API_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.emulator.support.ApiClient;
import io.stemflow.emulator.support.ApiClient.Answer;
import io.stemflow.emulator.support.TestConfigs;
import io.stemflow.emulator.time.ManualTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The HTTP admin API changes the same knobs as the Java control, and is protected. */
class AdminApiTest {

    private static final String TOKEN = "admin-token-for-tests";
    private static final String CALLBACK = "http://127.0.0.1:9/cb";

    private static ProviderEmulator start(final EmulatorConfig.Builder config) {
        return ProviderEmulator.start(config.build(), new ManualTime(Instant.parse("2026-01-01T00:00:00Z")));
    }

    @Test
    void shouldRefuseAdminCallsWithoutTheRightTokenWhenATokenIsConfigured() {
        try (ProviderEmulator emulator = start(TestConfigs.quick().adminToken(TOKEN))) {
            final ApiClient client = new ApiClient(emulator.baseUrl());

            // when
            final Answer missing = client.admin("GET", "/admin/counters", null, null);
            final Answer wrong = client.admin("PUT", "/admin/maintenance", "not-the-token", "{\"enabled\":true}");
            final Answer right = client.admin("GET", "/admin/counters", TOKEN, null);

            // then
            assertThat(missing.status()).isEqualTo(401);
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(emulator.control().maintenance()).isFalse();
            assertThat(right.status()).isEqualTo(200);
            assertThat(right.body().has("requestsByCode")).isTrue();
            assertThat(missing.body().toString()).doesNotContain(TOKEN);
        }
    }

    @Test
    void shouldChangeBehaviourWhenKnobsAreSetOverHttp() {
        try (ProviderEmulator emulator = start(TestConfigs.quick())) {
            final ApiClient client = new ApiClient(emulator.baseUrl());

            // when / then: rate window
            assertThat(client.admin("PUT", "/admin/rate-limit", null, "{\"requests\":2,\"windowMs\":60000}").status())
                    .isEqualTo(200);
            assertThat(emulator.control().rateLimit()).isEqualTo(new RateLimit(2, Duration.ofMinutes(1), 430));
            client.credit(API_KEY);
            client.credit(API_KEY);
            assertThat(client.credit(API_KEY).code()).isEqualTo(430);
            client.admin("PUT", "/admin/rate-limit", null, "{\"requests\":1000}");

            // maintenance
            assertThat(client.admin("PUT", "/admin/maintenance", null, "{\"enabled\":true}").body().path("active")
                    .asBoolean()).isTrue();
            assertThat(client.credit(API_KEY).code()).isEqualTo(455);
            client.admin("PUT", "/admin/maintenance", null, "{\"enabled\":false}");
            assertThat(client.admin("POST", "/admin/maintenance/windows", null, "{\"durationMs\":60000}")
                    .body().path("windows")).hasSize(1);
            assertThat(client.credit(API_KEY).code()).isEqualTo(455);
            client.admin("DELETE", "/admin/maintenance/windows", null, null);
            assertThat(client.credit(API_KEY).code()).isEqualTo(200);

            // faults (partial update keeps the other shares)
            client.admin("PUT", "/admin/faults", null, "{\"lostCallbacks\":0.25}");
            final Answer faults = client.admin("PUT", "/admin/faults", null, "{\"serverErrors\":1.0}");
            assertThat(faults.body().path("lostCallbacks").asDouble()).isEqualTo(0.25);
            assertThat(client.credit(API_KEY).code()).isEqualTo(500);
            client.admin("PUT", "/admin/faults", null, "{\"serverErrors\":0}");

            // HTTP status mode
            client.admin("PUT", "/admin/http-status", null, "{\"mirrorsCode\":true}");
            assertThat(client.credit("wrong").status()).isEqualTo(401);
            client.admin("PUT", "/admin/http-status", null, "{\"mirrorsCode\":false}");
            assertThat(client.credit("wrong").status()).isEqualTo(200);
        }
    }

    @Test
    void shouldReportAndResetCountersWhenAskedOverHttp() {
        try (ProviderEmulator emulator = start(TestConfigs.quick())) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            client.generate(API_KEY, ApiClient.generateBody("split_stem", CALLBACK));
            client.credit("wrong");

            // when
            final Answer counters = client.admin("GET", "/admin/counters", null, null);
            final Answer reset = client.admin("POST", "/admin/counters/reset", null, null);

            // then
            assertThat(counters.body().path("tasksAccepted").asLong()).isEqualTo(1);
            assertThat(counters.body().path("creditsCharged").asLong()).isEqualTo(50);
            assertThat(counters.body().path("requestsByCode").path("200").asLong()).isEqualTo(1);
            assertThat(counters.body().path("requestsByCode").path("401").asLong()).isEqualTo(1);
            assertThat(counters.body().path("highestRequestsInWindow").asInt()).isEqualTo(1);
            assertThat(reset.body().path("tasksAccepted").asLong()).isZero();
            assertThat(emulator.control().counters().totalRequests()).isZero();
        }
    }

    @Test
    void shouldNeverEchoAKeyWhenCreditsAreSetByKeyIdOrKey() {
        try (ProviderEmulator emulator = start(TestConfigs.quick())) {
            final ApiClient client = new ApiClient(emulator.baseUrl());
            final String keyId = emulator.control().keyId(API_KEY);

            // when
            final Answer set = client.admin("PUT", "/admin/credits", null,
                    "{\"keyId\":\"" + keyId + "\",\"credits\":42}");
            final Answer balances = client.admin("GET", "/admin/credits", null, null);
            final Answer unknown = client.admin("PUT", "/admin/credits", null,
                    "{\"apiKey\":\"sk-guessed-key\",\"credits\":1}");
            final Answer info = client.admin("GET", "/admin/info", null, null);

            // then
            assertThat(set.body().path("credits").asLong()).isEqualTo(42);
            assertThat(client.credit(API_KEY).body().path("data").asLong()).isEqualTo(42);
            assertThat(balances.body().path("balances").path(keyId).asLong()).isEqualTo(42);
            assertThat(unknown.status()).isEqualTo(400);
            assertThat(unknown.body().toString()).doesNotContain("sk-guessed-key");
            assertThat(info.body().path("seed").asLong()).isEqualTo(TestConfigs.SEED);
            assertThat(info.body().toString()).doesNotContain(API_KEY);
        }
    }

    @Test
    void shouldAnswer400WhenAnAdminBodyIsInvalid() {
        try (ProviderEmulator emulator = start(TestConfigs.quick())) {
            final ApiClient client = new ApiClient(emulator.baseUrl());

            // when
            final Answer notJson = client.admin("PUT", "/admin/faults", null, "nope");
            final Answer badShare = client.admin("PUT", "/admin/faults", null, "{\"lostCallbacks\":1.5}");
            final Answer badCode = client.admin("PUT", "/admin/rate-limit", null, "{\"refusalCode\":418}");
            final Answer badFlag = client.admin("PUT", "/admin/maintenance", null, "{\"enabled\":\"yes\"}");
            final Answer unknownRoute = client.admin("GET", "/admin/nothing", null, null);

            // then
            assertThat(notJson.status()).isEqualTo(400);
            assertThat(badShare.status()).isEqualTo(400);
            assertThat(badShare.body().path("error").asText()).contains("lostCallbacks");
            assertThat(badCode.status()).isEqualTo(400);
            assertThat(badFlag.status()).isEqualTo(400);
            assertThat(unknownRoute.status()).isEqualTo(404);
            assertThat(emulator.control().faults()).isEqualTo(FaultShares.NONE);
            assertThat(emulator.control().counters().requests(404)).isZero();
        }
    }
}
