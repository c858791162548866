package io.stemflow.bridge;

import io.stemflow.testing.SettableClock;
import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.bridge.ReplayCache.Signed;
import io.stemflow.bridge.ReplayCache.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The replay cache's rules, with the clock driven by the test. */
class ReplayCacheTest {

    private static final Duration MAX_AGE = Duration.ofSeconds(300);
    private static final long NOW = Fixtures.NOW.getEpochSecond();

    private final SettableClock clock = new SettableClock(Fixtures.NOW);

    @Test
    void shouldSayRepeatOnlyOnceStoredWhenTheSameCallbackArrivesAgain() {
        // given
        final ReplayCache cache = new ReplayCache(MAX_AGE, 100, clock);
        final Signed callback = signed("task-1", NOW, "req-1", "{\"a\":1}");

        // when / then: while the first is being published, the same one may be published too (the topology keeps one)
        assertThat(cache.claim(callback)).isEqualTo(Verdict.FIRST);
        assertThat(cache.claim(callback)).isEqualTo(Verdict.FIRST);
        cache.stored(callback);
        assertThat(cache.claim(callback)).isEqualTo(Verdict.REPEAT);
    }

    @Test
    void shouldSayConflictWhenAUsedSignatureComesWithAnotherBodyOrForAnotherRequest() {
        // given
        final ReplayCache cache = new ReplayCache(MAX_AGE, 100, clock);
        cache.claim(signed("task-1", NOW, "req-1", "{\"a\":1}"));

        // when / then
        assertThat(cache.claim(signed("task-1", NOW, "req-1", "{\"a\":2}"))).isEqualTo(Verdict.CONFLICT);
        assertThat(cache.claim(signed("task-1", NOW, "req-2", "{\"a\":1}"))).isEqualTo(Verdict.CONFLICT);
        assertThat(cache.claim(signed("task-1", NOW - 1, "req-1", "{\"a\":2}"))).as("another timestamp: another signature")
                .isEqualTo(Verdict.FIRST);
    }

    @Test
    void shouldForgetAClaimWhenThePublishFailedSoTheRetryIsStored() {
        // given
        final ReplayCache cache = new ReplayCache(MAX_AGE, 100, clock);
        final Signed callback = signed("task-1", NOW, "req-1", "{\"a\":1}");
        cache.claim(callback);

        // when
        cache.release(callback);

        // then: even another body may now use it (the first one is not in Kafka), and the cache is empty
        assertThat(cache.size()).isZero();
        assertThat(cache.claim(signed("task-1", NOW, "req-1", "{\"a\":2}"))).isEqualTo(Verdict.FIRST);
    }

    @Test
    void shouldRefuseWhenFullAndAcceptAgainOnceEntriesPassTheAllowedAge() {
        // given: a cache of 10, filled with callbacks signed now
        final ReplayCache cache = new ReplayCache(MAX_AGE, 10, clock);
        for (int i = 0; i < 10; i++) {
            final Signed callback = signed("task-" + i, NOW, "req-" + i, "{}");
            assertThat(cache.claim(callback)).isEqualTo(Verdict.FIRST);
            cache.stored(callback);
        }

        // when / then: full, and still full just before the entries' signatures go stale
        assertThat(cache.claim(signed("task-x", NOW, "req-x", "{}"))).isEqualTo(Verdict.FULL);
        clock.advance(MAX_AGE);
        assertThat(cache.claim(signed("task-x", NOW + 300, "req-x", "{}"))).isEqualTo(Verdict.FULL);

        // when / then: past the allowed age (plus a second) every entry has expired
        clock.advance(Duration.ofSeconds(1));
        assertThat(cache.size()).isZero();
        assertThat(cache.claim(signed("task-x", NOW + 301, "req-x", "{}"))).isEqualTo(Verdict.FIRST);
    }

    @Test
    void shouldKeepEntriesOfFixedSizeWhenTaskIdsAndBodiesAreLarge() {
        // given
        final Signed large = signed("t".repeat(1024), NOW, "r".repeat(1024), "x".repeat(1024 * 1024));

        // then
        assertThat(large.key().remaining()).isEqualTo(32);
        assertThat(large.fingerprint().remaining()).isEqualTo(32);
    }

    private static Signed signed(final String taskId, final long timestamp, final String requestId, final String body) {
        return Signed.of(taskId, Long.toString(timestamp), requestId, body.getBytes(StandardCharsets.UTF_8));
    }
}
