package io.stemflow.emulator.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.stemflow.emulator.FaultShares;
import io.stemflow.emulator.LinkExpiry;
import io.stemflow.emulator.LinkFate;
import io.stemflow.emulator.ProcessingTime;
import io.stemflow.emulator.SeparationMode;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Link fates are drawn per task from its seed, in the configured shares, without touching the other decisions. */
class TaskPlannerLinkExpiryTest {

    private static final FaultShares SHARES = new FaultShares(0, 0.2, 0.3, 0.1, 0.1, 0.1);
    private static final LinkExpiry EXPIRY = new LinkExpiry(0.3, Duration.ofHours(1), 0.5);
    private static final int TASKS = 20_000;

    private static TaskPlanner planner(final long seed) {
        return new TaskPlanner(seed, ProcessingTime.uniform(Duration.ofSeconds(1), Duration.ofSeconds(9)),
                List.of(451, 500), Duration.ofSeconds(30));
    }

    private static List<TaskPlan> plans(final long seed, final LinkExpiry expiry) {
        final TaskPlanner planner = planner(seed);
        return LongStream.range(0, TASKS).mapToObj(n -> planner.plan(n, SeparationMode.SPLIT_STEM, SHARES, expiry))
                .toList();
    }

    @Test
    void shouldDrawTheSameFatesWhenTheSeedIsTheSame() {
        // when
        final List<TaskPlan> first = plans(9, EXPIRY);
        final List<TaskPlan> again = plans(9, EXPIRY);
        final List<TaskPlan> otherSeed = plans(10, EXPIRY);

        // then
        assertThat(again).isEqualTo(first);
        assertThat(otherSeed.stream().map(p -> p.links().fate()).toList())
                .isNotEqualTo(first.stream().map(p -> p.links().fate()).toList());
    }

    @Test
    void shouldChooseTheSharesWhenManyTasksArePlanned() {
        // when
        final List<TaskPlan> plans = plans(4, EXPIRY);

        // then: early expiry among successful tasks, gone among the early-expiring ones
        final long succeeded = plans.stream().filter(p -> p.outcome() instanceof TaskOutcome.Succeeded).count();
        final long early = plans.stream().filter(p -> p.links().fate().expiresEarly()).count();
        final long gone = plans.stream().filter(p -> p.links().fate() == LinkFate.GONE).count();
        assertThat(early / (double) succeeded).isCloseTo(0.3, offset(0.02));
        assertThat(gone / (double) early).isCloseTo(0.5, offset(0.03));
        assertThat(plans).filteredOn(p -> p.outcome() instanceof TaskOutcome.Failed)
                .allMatch(p -> p.links().fate() == LinkFate.STANDARD);
        assertThat(plans).filteredOn(p -> p.links().fate().expiresEarly())
                .allMatch(p -> p.links().earlyExpiryAfter().equals(Duration.ofHours(1)));
    }

    @Test
    void shouldKeepEveryOtherDecisionWhenLinkExpiryIsOn() {
        // when
        final List<TaskPlan> without = plans(7, LinkExpiry.NONE);
        final List<TaskPlan> with = plans(7, new LinkExpiry(1.0, Duration.ofMinutes(5), 1.0));
        final TaskPlanner planner = planner(7);
        final List<TaskPlan> beforeLinkExpiry = LongStream.range(0, TASKS)
                .mapToObj(n -> planner.plan(n, SeparationMode.SPLIT_STEM, SHARES)).toList();

        // then
        assertThat(beforeLinkExpiry).isEqualTo(without);
        for (int i = 0; i < TASKS; i++) {
            final TaskPlan a = without.get(i);
            final TaskPlan b = with.get(i);
            assertThat(new TaskPlan(b.providerTaskId(), b.fileToken(), b.processingTime(), b.outcome(), b.callback(),
                    a.links())).isEqualTo(a);
        }
    }

    @Test
    void shouldChooseNoTaskWhenTheSharesAreZero() {
        // when
        final List<TaskPlan> plans = plans(3, new LinkExpiry(0, Duration.ofHours(2), 1.0));

        // then
        assertThat(plans).allMatch(p -> p.links().fate() == LinkFate.STANDARD);
        assertThat(plans).isEqualTo(plans(3, LinkExpiry.NONE));
    }
}
