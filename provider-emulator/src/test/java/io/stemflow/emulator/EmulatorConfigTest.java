package io.stemflow.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.stemflow.service.Secret;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmulatorConfigTest {

    private static final String SECRET_KEY = "sk-live-very-secret";

    @Test
    void shouldUseTheProvidersDocumentedBehaviourWhenOnlyAKeyIsGiven() {
        // when
        final EmulatorConfig config = EmulatorConfig.fromEnv(Map.of("STEMFLOW_EMULATOR_API_KEYS", SECRET_KEY,
                "PATH", "/usr/bin"));

        // then
        assertThat(config.rateLimit()).isEqualTo(new RateLimit(20, Duration.ofSeconds(10), 430));
        assertThat(config.costSeparateVocal()).isEqualTo(10);
        assertThat(config.costSplitStem()).isEqualTo(50);
        assertThat(config.retrySchedule()).containsExactly(Duration.ofMinutes(1), Duration.ofMinutes(5),
                Duration.ofMinutes(15));
        assertThat(config.callbackTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.fileTtl()).isEqualTo(Duration.ofDays(14));
        assertThat(config.failureCodes()).containsExactly(451, 500);
        assertThat(config.faults()).isEqualTo(FaultShares.NONE);
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(8089);
        assertThat(config.httpStatusMirrorsCode()).isFalse();
        assertThat(config.adminToken()).isEmpty();
    }

    @Test
    void shouldReadEverySettingWhenAllVariablesAreSet() {
        // given
        final Map<String, String> env = new HashMap<>();
        env.put("STEMFLOW_EMULATOR_HOST", "0.0.0.0");
        env.put("STEMFLOW_EMULATOR_PORT", "0");
        env.put("STEMFLOW_EMULATOR_PUBLIC_URL", "http://emulator.local:8089");
        env.put("STEMFLOW_EMULATOR_API_KEYS", "k1, k2");
        env.put("STEMFLOW_EMULATOR_ADMIN_TOKEN", "adm");
        env.put("STEMFLOW_EMULATOR_WEBHOOK_KEY", "wh");
        env.put("STEMFLOW_EMULATOR_INITIAL_CREDITS", "60");
        env.put("STEMFLOW_EMULATOR_COST_SEPARATE_VOCAL", "12");
        env.put("STEMFLOW_EMULATOR_COST_SPLIT_STEM", "55");
        env.put("STEMFLOW_EMULATOR_MAX_BODY_BYTES", "2048");
        env.put("STEMFLOW_EMULATOR_HTTP_STATUS_MIRRORS_CODE", "true");
        env.put("STEMFLOW_EMULATOR_RATE_LIMIT_REQUESTS", "5");
        env.put("STEMFLOW_EMULATOR_RATE_LIMIT_WINDOW", "2s");
        env.put("STEMFLOW_EMULATOR_RATE_LIMIT_CODE", "405");
        env.put("STEMFLOW_EMULATOR_MAINTENANCE", "on");
        env.put("STEMFLOW_EMULATOR_SERVER_ERROR_SHARE", "0.01");
        env.put("STEMFLOW_EMULATOR_TASK_FAILURE_SHARE", "0.02");
        env.put("STEMFLOW_EMULATOR_FAILURE_CODES", "451");
        env.put("STEMFLOW_EMULATOR_PARTIAL_STEMS_SHARE", "0.03");
        env.put("STEMFLOW_EMULATOR_DUPLICATE_SHARE", "0.04");
        env.put("STEMFLOW_EMULATOR_DUPLICATE_DELAY", "250ms");
        env.put("STEMFLOW_EMULATOR_LATE_SHARE", "0.05");
        env.put("STEMFLOW_EMULATOR_LATE_DELAY", "2m");
        env.put("STEMFLOW_EMULATOR_LOST_SHARE", "0.06");
        env.put("STEMFLOW_EMULATOR_PROCESSING_TIME", "exponential:1s..4s..60s");
        env.put("STEMFLOW_EMULATOR_CALLBACK_INFO_KEY", "vocal_separation_info");
        env.put("STEMFLOW_EMULATOR_RECORD_INFO_TIME_FORMAT", "string");
        env.put("STEMFLOW_EMULATOR_CALLBACK_TIMEOUT", "3s");
        env.put("STEMFLOW_EMULATOR_CALLBACK_RETRY_SCHEDULE", "1m,2m");
        env.put("STEMFLOW_EMULATOR_TIME_SCALE", "0.5");
        env.put("STEMFLOW_EMULATOR_FILE_TTL", "1h");
        env.put("STEMFLOW_EMULATOR_SEED", "-7");

        // when
        final EmulatorConfig c = EmulatorConfig.fromEnv(env);

        // then
        assertThat(c.host()).isEqualTo("0.0.0.0");
        assertThat(c.port()).isZero();
        assertThat(c.publicBaseUrl()).contains(URI.create("http://emulator.local:8089"));
        assertThat(c.apiKeys()).extracting(Secret::reveal).containsExactly("k1", "k2");
        assertThat(c.adminToken().map(Secret::reveal)).contains("adm");
        assertThat(c.webhookKey().map(Secret::reveal)).contains("wh");
        assertThat(c.initialCredits()).isEqualTo(60);
        assertThat(c.costOf(SeparationMode.SEPARATE_VOCAL)).isEqualTo(12);
        assertThat(c.costOf(SeparationMode.SPLIT_STEM)).isEqualTo(55);
        assertThat(c.maxBodyBytes()).isEqualTo(2048);
        assertThat(c.httpStatusMirrorsCode()).isTrue();
        assertThat(c.rateLimit()).isEqualTo(new RateLimit(5, Duration.ofSeconds(2), 405));
        assertThat(c.maintenance()).isTrue();
        assertThat(c.faults()).isEqualTo(new FaultShares(0.01, 0.02, 0.03, 0.04, 0.05, 0.06));
        assertThat(c.failureCodes()).containsExactly(451);
        assertThat(c.duplicateDelay()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.lateDelay()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.processingTime()).isEqualTo(ProcessingTime.exponential(Duration.ofSeconds(1),
                Duration.ofSeconds(4), Duration.ofSeconds(60)));
        assertThat(c.callbackInfoKey()).isEqualTo(CallbackInfoKey.VOCAL_SEPARATION_INFO);
        assertThat(c.recordInfoTimeFormat()).isEqualTo(RecordInfoTimeFormat.STRING);
        assertThat(c.callbackTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.scaledRetrySchedule()).containsExactly(Duration.ofSeconds(30), Duration.ofMinutes(1));
        assertThat(c.fileTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(c.seed()).isEqualTo(-7);
    }

    @Test
    void shouldReadSecretsFromFilesWhenFileSettingsAreGiven(@TempDir final Path dir) throws IOException {
        // given
        final Path keys = Files.writeString(dir.resolve("keys"), "# provider keys\nk1\n\nk2\n");
        final Path token = Files.writeString(dir.resolve("token"), "admin-from-file\n");

        // when
        final EmulatorConfig config = EmulatorConfig.fromEnv(Map.of(
                "STEMFLOW_EMULATOR_API_KEYS_FILE", keys.toString(),
                "STEMFLOW_EMULATOR_ADMIN_TOKEN_FILE", token.toString()));

        // then
        assertThat(config.apiKeys()).extracting(Secret::reveal).containsExactly("k1", "k2");
        assertThat(config.adminToken().map(Secret::reveal)).contains("admin-from-file");
    }

    @Test
    void shouldNameTheSettingWhenAValueIsInvalid() {
        assertThatThrownBy(() -> EmulatorConfig.fromEnv(Map.of("STEMFLOW_EMULATOR_API_KEYS", "k",
                "STEMFLOW_EMULATOR_RATE_LIMIT_WINDOW", "10"))).hasMessageContaining("STEMFLOW_EMULATOR_RATE_LIMIT_WINDOW");
        assertThatThrownBy(() -> EmulatorConfig.fromEnv(Map.of("STEMFLOW_EMULATOR_API_KEYS", "k",
                "STEMFLOW_EMULATOR_LOST_SHARE", "1.5"))).hasMessageContaining("lostCallbacks");
        assertThatThrownBy(() -> EmulatorConfig.fromEnv(Map.of("STEMFLOW_EMULATOR_API_KEYS", "k",
                "STEMFLOW_EMULATOR_PORT", "http"))).hasMessageContaining("STEMFLOW_EMULATOR_PORT");
        assertThatThrownBy(() -> EmulatorConfig.fromEnv(Map.of("STEMFLOW_EMULATOR_API_KEYS", "k",
                "STEMFLOW_EMULATOR_RATE_LIMIT_CODE", "429"))).hasMessageContaining("430 or 405");
        assertThatThrownBy(() -> EmulatorConfig.fromEnv(Map.of("STEMFLOW_EMULATOR_API_KEYS", "k",
                "STEMFLOW_EMULATOR_PROCESSING_TIME", "uniform:5s..1s"))).hasMessageContaining("PROCESSING_TIME");
        assertThatThrownBy(() -> EmulatorConfig.fromEnv(Map.of("STEMFLOW_EMULATOR_API_KEYS", "k",
                "STEMFLOW_EMULATOR_FAILURE_CODES", "404"))).hasMessageContaining("failureCodes");
        assertThatThrownBy(() -> EmulatorConfig.fromEnv(Map.of("STEMFLOW_EMULATOR_API_KEYS", "k",
                "STEMFLOW_EMULATOR_API_KEYS_FILE", "/nonexistent/keys")))
                .hasMessageContaining("STEMFLOW_EMULATOR_API_KEYS_FILE");
    }

    @Test
    void shouldWarnWhenASettingIsUnknownAndRefuseWhenNoKeyIsGiven() {
        final Map<String, String> env = Map.of("STEMFLOW_EMULATOR_API_KEYS", "k",
                "STEMFLOW_EMULATOR_RATE_LIMT_REQUESTS", "3", "STEMFLOW_EMULATOR_LOG_LEVEL", "DEBUG", "HOME", "/root");
        assertThat(EmulatorEnv.unknownNames(env)).containsExactly("STEMFLOW_EMULATOR_RATE_LIMT_REQUESTS");
        assertThat(EmulatorConfig.fromEnv(env).rateLimit()).isEqualTo(RateLimit.PROVIDER_DEFAULT);
        assertThatThrownBy(() -> EmulatorConfig.fromEnv(Map.of()))
                .hasMessageContaining("STEMFLOW_EMULATOR_API_KEYS");
    }

    @Test
    void shouldNeverShowSecretsWhenPrintedOrRejected() {
        // given
        final EmulatorConfig config = EmulatorConfig.builder().apiKey(SECRET_KEY).adminToken("admin-secret-value")
                .webhookKey("webhook-secret-value").seed(1).build();

        // when
        final String text = config.toString();
        final Throwable duplicate = catchThrowable(() ->
                EmulatorConfig.fromEnv(Map.of("STEMFLOW_EMULATOR_API_KEYS", SECRET_KEY + "," + SECRET_KEY)));
        final Throwable blank = catchThrowable(() ->
                EmulatorConfig.fromEnv(Map.of("STEMFLOW_EMULATOR_API_KEYS", "k", "STEMFLOW_EMULATOR_ADMIN_TOKEN",
                        "has space", "STEMFLOW_EMULATOR_SEED", "1")));

        // then
        assertThat(text).doesNotContain(SECRET_KEY, "admin-secret-value", "webhook-secret-value");
        assertThat(duplicate).hasMessageNotContaining(SECRET_KEY);
        assertThat(blank).hasMessageContaining("STEMFLOW_EMULATOR_ADMIN_TOKEN").hasMessageNotContaining("has space");
    }

    @Test
    void shouldRefuseWhenTheBuilderHoldsInvalidValues() {
        assertThatThrownBy(() -> EmulatorConfig.builder().build()).hasMessageContaining("apiKeys");
        assertThatThrownBy(() -> EmulatorConfig.builder().apiKey("k").timeScale(0).build())
                .hasMessageContaining("timeScale");
        assertThatThrownBy(() -> EmulatorConfig.builder().apiKey("k").retrySchedule(List.of(Duration.ofSeconds(-1)))
                .build()).hasMessageContaining("retrySchedule");
        assertThatThrownBy(() -> EmulatorConfig.builder().apiKey("k").port(70_000).build())
                .hasMessageContaining("port");
        assertThatThrownBy(() -> EmulatorConfig.builder().apiKey("k").publicBaseUrl(URI.create("ftp://x/")).build())
                .hasMessageContaining("publicBaseUrl");
    }
    @Test
    void shouldReadTheLinkExpirySettingsWhenTheirVariablesAreSet() {
        // when
        final EmulatorConfig config = EmulatorConfig.fromEnv(Map.of("STEMFLOW_EMULATOR_API_KEYS", "k",
                "STEMFLOW_EMULATOR_EARLY_EXPIRY_SHARE", "0.25", "STEMFLOW_EMULATOR_EARLY_EXPIRY_AFTER", "90m",
                "STEMFLOW_EMULATOR_GONE_SHARE", "0.5"));
        final EmulatorConfig defaults = EmulatorConfig.fromEnv(Map.of("STEMFLOW_EMULATOR_API_KEYS", "k"));

        // then
        assertThat(config.linkExpiry()).isEqualTo(new LinkExpiry(0.25, Duration.ofMinutes(90), 0.5));
        assertThat(defaults.linkExpiry()).isEqualTo(LinkExpiry.NONE);
        assertThat(EmulatorEnv.unknownNames(Map.of("STEMFLOW_EMULATOR_EARLY_EXPIRY_SHARE", "0",
                "STEMFLOW_EMULATOR_EARLY_EXPIRY_AFTER", "0s", "STEMFLOW_EMULATOR_GONE_SHARE", "0"))).isEmpty();
    }

    @Test
    void shouldNameTheVariableWhenALinkExpirySettingIsInvalid() {
        assertThatThrownBy(() -> EmulatorConfig.fromEnv(Map.of("STEMFLOW_EMULATOR_API_KEYS", "k",
                "STEMFLOW_EMULATOR_EARLY_EXPIRY_SHARE", "1.01")))
                .hasMessageContaining("STEMFLOW_EMULATOR_EARLY_EXPIRY_SHARE").hasMessageContaining("earlyExpiryShare");
        assertThatThrownBy(() -> EmulatorConfig.fromEnv(Map.of("STEMFLOW_EMULATOR_API_KEYS", "k",
                "STEMFLOW_EMULATOR_GONE_SHARE", "-0.5"))).hasMessageContaining("STEMFLOW_EMULATOR_GONE_SHARE");
        assertThatThrownBy(() -> EmulatorConfig.fromEnv(Map.of("STEMFLOW_EMULATOR_API_KEYS", "k",
                "STEMFLOW_EMULATOR_EARLY_EXPIRY_AFTER", "-1s")))
                .hasMessageContaining("STEMFLOW_EMULATOR_EARLY_EXPIRY_AFTER");
        assertThatThrownBy(() -> EmulatorConfig.fromEnv(Map.of("STEMFLOW_EMULATOR_API_KEYS", "k",
                "STEMFLOW_EMULATOR_EARLY_EXPIRY_SHARE", "half")))
                .hasMessageContaining("STEMFLOW_EMULATOR_EARLY_EXPIRY_SHARE");
    }

    @Test
    void shouldRefuseLinkExpiryValuesOutsideTheirRangeWhenBuilt() {
        assertThatThrownBy(() -> EmulatorConfig.builder().apiKey("k").earlyExpiryShare(-0.01))
                .hasMessageContaining("earlyExpiryShare");
        assertThatThrownBy(() -> EmulatorConfig.builder().apiKey("k").earlyExpiryShare(1.5))
                .hasMessageContaining("earlyExpiryShare");
        assertThatThrownBy(() -> EmulatorConfig.builder().apiKey("k").earlyExpiryShare(Double.NaN))
                .hasMessageContaining("earlyExpiryShare");
        assertThatThrownBy(() -> EmulatorConfig.builder().apiKey("k").goneShare(2))
                .hasMessageContaining("goneShare");
        assertThatThrownBy(() -> EmulatorConfig.builder().apiKey("k").goneShare(-1))
                .hasMessageContaining("goneShare");
        assertThatThrownBy(() -> EmulatorConfig.builder().apiKey("k").earlyExpiryAfter(Duration.ofMillis(-1)))
                .hasMessageContaining("earlyExpiryAfter");
        assertThatThrownBy(() -> EmulatorConfig.builder().apiKey("k").earlyExpiryAfter(null))
                .hasMessageContaining("earlyExpiryAfter");
        assertThatThrownBy(() -> EmulatorConfig.builder().apiKey("k").linkExpiry(null).build())
                .hasMessageContaining("linkExpiry");
        assertThat(EmulatorConfig.builder().apiKey("k").seed(1).earlyExpiryShare(1).goneShare(0)
                .earlyExpiryAfter(Duration.ZERO).build().linkExpiry())
                .isEqualTo(new LinkExpiry(1, Duration.ZERO, 0));
    }
}
