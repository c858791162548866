package io.stemflow.emulator.support;

import io.stemflow.emulator.EmulatorConfig;
import io.stemflow.emulator.ProcessingTime;
import io.stemflow.emulator.RateLimit;
import java.time.Duration;

/** Test defaults: loopback, free port, one key, seeded, quick tasks, a rate limit out of the way. */
public final class TestConfigs {

    public static final String API_KEY = "sk-test-0123456789";
    public static final String OTHER_KEY = "sk-other-9876543210";
    public static final long SEED = 20_260_101L;

    private TestConfigs() {
    }

    public static EmulatorConfig.Builder quick() {
        return EmulatorConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .apiKey(API_KEY)
                .seed(SEED)
                .rateLimit(new RateLimit(100_000, Duration.ofSeconds(1), 430))
                .processingTime(ProcessingTime.fixed(Duration.ofMillis(20)))
                .callbackTimeout(Duration.ofSeconds(5))
                .timeScale(0.001);
    }
}
