package io.stemflow.archiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import org.junit.jupiter.api.Test;

/** When the archive counts as behind the provider's deletions, on a driven clock. */
class ExpiryWatchTest {

    private static final Instant START = Instant.parse("2026-12-06T12:00:00Z");

    private final SettableClock clock = new SettableClock(START);
    private final ExpiryWatch watch = new ExpiryWatch(clock, Duration.ofDays(2));

    /** {@code batches} batches of {@code stems} stems, one per second, the last leaving {@code lag} behind. */
    private void archive(final int batches, final int stems, final Instant expiresAt, final long lag) {
        for (int i = 0; i < batches; i++) {
            clock.advance(Duration.ofSeconds(1));
            watch.processed(Collections.nCopies(stems, expiresAt), lag);
        }
    }

    @Test
    void shouldNotBeBehindWhenTheBacklogDrainsLongBeforeTheLinksExpire() {
        // given: 10 stems/s, 36,000 behind (an hour), links good for 12 more days
        archive(60, 10, START.plus(Duration.ofDays(12)), 36_000);

        // then
        assertThat(watch.rate()).isEqualTo(10.0);
        assertThat(watch.drainTime()).contains(Duration.ofHours(1));
        assertThat(watch.behind()).isEmpty();
    }

    @Test
    void shouldBeBehindWhenTheBacklogTakesLongerThanTheLinksHaveLeftLessTheMargin() {
        // given: 1 stem/s, 300,000 behind (3.5 days), links good for 5 more days, margin 2 days
        archive(60, 1, START.plus(Duration.ofDays(5)), 300_000);

        // then
        assertThat(watch.behind()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("300000 stems behind").contains("3d 11h").contains("expires in 4d 23h"));
    }

    @Test
    void shouldBeBehindWhenAStemArrivesWithItsLinkExpired() {
        // given: nothing waiting, but the stem just read expired an hour ago
        archive(1, 1, START.minus(Duration.ofHours(1)), 0);

        // then: behind, also once nothing waits, for a minute
        assertThat(watch.behind()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("after their links expired").contains("1h 0m"));
        watch.idle(0);
        clock.advance(ExpiryWatch.RATE_WINDOW.minusSeconds(1));
        assertThat(watch.behind()).isPresent();
        clock.advance(Duration.ofSeconds(2));
        assertThat(watch.behind()).isEmpty();
    }

    @Test
    void shouldClearWhenTheBacklogIsGone() {
        // given: behind
        archive(60, 1, START.plus(Duration.ofDays(3)), 500_000);
        assertThat(watch.behind()).isPresent();

        // when: everything was read, nothing waits
        watch.idle(0);

        // then
        assertThat(watch.behind()).isEmpty();
        assertThat(watch.headroom()).isEmpty();
    }

    @Test
    void shouldBeBehindWhenNothingIsArchivedWhileTheOldestLinkIsWithinTheMargin() {
        // given: stems waited for, none archived in the last minute, the oldest link expires in a day
        archive(1, 1, START.plus(Duration.ofDays(1)), 10);
        clock.advance(Duration.ofMinutes(2));
        watch.idle(10);

        // then
        assertThat(watch.rate()).isZero();
        assertThat(watch.behind()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("10 stems behind and none archived"));
    }

    @Test
    void shouldMeasureTheRateOverTheLastMinuteOnly() {
        // given: 100 stems/s for a minute, then 1 stem/s for two
        archive(60, 100, START.plus(Duration.ofDays(12)), 0);
        archive(120, 1, START.plus(Duration.ofDays(12)), 0);

        // then
        assertThat(watch.rate()).isBetween(0.9, 1.1);
    }
}
