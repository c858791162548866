package io.stemflow.emulator.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.emulator.RateLimit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SlidingWindowLimiterTest {

    @Test
    void shouldDecideExactlyLikeTheDefinitionWhenRequestsArriveAtRandomTimes() {
        // given a reference model: accept at t iff fewer than N accepted requests lie in (t - w, t]
        final RateLimit limit = new RateLimit(20, Duration.ofSeconds(10), 430);
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.EPOCH);
        final SlidingWindowLimiter limiter = new SlidingWindowLimiter(limit, now::get);
        final SplittableRandom random = new SplittableRandom(7);
        final List<Instant> acceptedByModel = new ArrayList<>();
        int highest = 0;
        int refusals = 0;

        for (int i = 0; i < 5_000; i++) {
            // mostly bursts, sometimes pauses; some steps land exactly on window boundaries
            final long step = switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> random.nextLong(0, 1_000);
                case 2 -> 500;
                default -> random.nextLong(0, 12_000);
            };
            now.set(now.get().plusMillis(step));
            final Instant t = now.get();
            final long inWindow = acceptedByModel.stream().filter(a -> a.isAfter(t.minus(limit.window()))).count();
            final boolean modelAccepts = inWindow < limit.requests();

            // when
            final OptionalInt decision = limiter.tryAcquire("key");

            // then
            assertThat(decision.isPresent()).as("request %d at %s", i, t).isEqualTo(modelAccepts);
            if (modelAccepts) {
                acceptedByModel.add(t);
                assertThat(decision.getAsInt()).isEqualTo(inWindow + 1);
                highest = Math.max(highest, decision.getAsInt());
            } else {
                refusals++;
            }
        }
        assertThat(refusals).isPositive();
        assertThat(highest).isEqualTo(20);
    }
}
