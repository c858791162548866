package io.stemflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The guard against a SLIDING provider window: whatever the latency, no {@code permits + 1} calls arrive at the
 * provider within one window; and at low latency it still uses over 99% of the limit.
 */
class SlidingWindowGuardTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Property(tries = 200)
    void shouldNeverLetMoreThanPermitsArriveInAnySlidingWindowWhateverTheLatency(
            @ForAll @IntRange(min = 1, max = 6) final int permits,
            @ForAll @IntRange(min = 0, max = 400) final int maxLatencyMs,
            @ForAll final long seed) {
        // given
        final long window = 1000 * MS;
        final SlidingWindowGuard guard = new SlidingWindowGuard(permits, window, 0);
        final Random random = new Random(seed);
        final List<Long> arrivals = new ArrayList<>();
        final PriorityQueue<Long> completions = new PriorityQueue<>();
        long now = 0;

        // when: 400 attempts at random moments; each admitted call arrives somewhere within its latency
        for (int attempt = 0; attempt < 400; attempt++) {
            now += random.nextInt(120) * MS;
            while (!completions.isEmpty() && completions.peek() <= now) {
                guard.release(completions.poll(), true);
            }
            if (guard.tryAcquire(now)) {
                final long latency = random.nextInt(maxLatencyMs + 1) * MS;
                arrivals.add(now + (long) (random.nextDouble() * latency));
                completions.add(now + latency);
            }
        }

        // then: the provider's rule "admit at t iff fewer than N arrived in (t - window, t]" never refuses
        Collections.sort(arrivals);
        for (int j = permits; j < arrivals.size(); j++) {
            assertThat(arrivals.get(j) - arrivals.get(j - permits)).isGreaterThanOrEqualTo(window);
        }
    }

    @Test
    void shouldUseOver99PercentOfTheLimitWhenLatencyIsLow() {
        // given: 20 per 10 s, 5 ms latency, 50 ms margin, jobs always waiting
        final long window = 10_000 * MS;
        final SlidingWindowGuard guard = new SlidingWindowGuard(20, window, 50 * MS);
        final PriorityQueue<Long> completions = new PriorityQueue<>();
        final List<Long> sends = new ArrayList<>();
        long now = 0;

        // when: 300 calls, each sent as soon as a slot is free
        while (sends.size() < 300) {
            while (!completions.isEmpty() && completions.peek() <= now) {
                guard.release(completions.poll(), true);
            }
            if (guard.tryAcquire(now)) {
                sends.add(now);
                completions.add(now + 5 * MS);
                continue;
            }
            final long wait = guard.nanosUntilFree(now);
            now += wait > 0 ? wait : Math.max(1, completions.peek() - now);
        }

        // then: (calls beyond the first window) / elapsed, against the limit
        final double rate = (sends.size() - 20) / ((sends.get(sends.size() - 1) - sends.get(0)) / 1e9);
        assertThat(rate / 2.0).isGreaterThan(0.99).isLessThanOrEqualTo(1.0);
    }

    @Test
    void shouldFreeUnusedSlotAtOnceWhenCallWasNotSent() {
        // given
        final SlidingWindowGuard guard = new SlidingWindowGuard(1, 1000 * MS, 0);
        assertThat(guard.tryAcquire(0)).isTrue();
        assertThat(guard.tryAcquire(0)).isFalse();
        assertThat(guard.nanosUntilFree(0)).isEqualTo(-1);

        // when
        guard.release(0, false);

        // then
        assertThat(guard.available(0)).isEqualTo(1);
        assertThat(guard.tryAcquire(0)).isTrue();
        guard.release(10 * MS, true);
        assertThat(guard.nanosUntilFree(10 * MS)).isEqualTo(1000 * MS);
        assertThat(guard.tryAcquire(1010 * MS)).isTrue();
    }

    @Test
    void shouldRefuseEverySlotUntilTheHoldEndsWhenHeld() {
        // given: three free slots
        final SlidingWindowGuard guard = new SlidingWindowGuard(3, 1000 * MS, 0);

        // when: held for 1020 ms from 0
        guard.holdAll(1020 * MS);

        // then
        assertThat(guard.available(0)).isZero();
        assertThat(guard.tryAcquire(1019 * MS)).isFalse();
        assertThat(guard.nanosUntilFree(20 * MS)).isEqualTo(1000 * MS);
        assertThat(guard.tryAcquire(1020 * MS)).isTrue();
        assertThat(guard.available(1020 * MS)).isEqualTo(2);
    }

    @Test
    void shouldKeepTheLaterEndWhenHeldTwice() {
        // given
        final SlidingWindowGuard guard = new SlidingWindowGuard(1, 1000 * MS, 0);
        guard.holdAll(500 * MS);

        // when: a shorter hold does not cut the running one short, a longer one extends it
        guard.holdAll(200 * MS);
        assertThat(guard.tryAcquire(300 * MS)).isFalse();
        guard.holdAll(800 * MS);

        // then
        assertThat(guard.tryAcquire(799 * MS)).isFalse();
        assertThat(guard.tryAcquire(800 * MS)).isTrue();
    }
}
