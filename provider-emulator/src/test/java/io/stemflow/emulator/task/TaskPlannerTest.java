package io.stemflow.emulator.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.emulator.FaultShares;
import io.stemflow.emulator.ProcessingTime;
import io.stemflow.emulator.SeparationMode;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class TaskPlannerTest {

    private static final FaultShares SHARES = new FaultShares(0, 0.2, 0.3, 0.1, 0.1, 0.1);

    private static TaskPlanner planner(final long seed) {
        return new TaskPlanner(seed, ProcessingTime.uniform(Duration.ofSeconds(1), Duration.ofSeconds(9)),
                List.of(451, 500), Duration.ofSeconds(30));
    }

    @Test
    void shouldPlanTheSameTaskWhenSeedAndSequenceAreTheSame() {
        // when
        final List<TaskPlan> first = LongStream.range(0, 200)
                .mapToObj(n -> planner(5).plan(n, SeparationMode.SPLIT_STEM, SHARES)).toList();
        final List<TaskPlan> again = LongStream.range(0, 200)
                .mapToObj(n -> planner(5).plan(n, SeparationMode.SPLIT_STEM, SHARES)).toList();

        // then
        assertThat(again).isEqualTo(first);
        final Set<String> ids = new HashSet<>();
        first.forEach(p -> ids.add(p.providerTaskId()));
        assertThat(ids).hasSize(200);
    }

    @Test
    void shouldHitTheConfiguredSharesWhenManyTasksArePlanned() {
        // when
        final List<TaskPlan> plans = LongStream.range(0, 4_000)
                .mapToObj(n -> planner(11).plan(n, SeparationMode.SPLIT_STEM, SHARES)).toList();

        // then
        final long failed = plans.stream().filter(p -> p.outcome() instanceof TaskOutcome.Failed).count();
        final long partial = plans.stream().filter(p -> p.outcome() instanceof TaskOutcome.Succeeded s
                && s.produced().size() < 12).count();
        final long lost = plans.stream().filter(p -> p.callback().lost()).count();
        assertThat(failed).isBetween(720L, 880L);
        assertThat(partial).isBetween(840L, 1_080L);
        assertThat(lost).isBetween(330L, 470L);
        assertThat(plans).allSatisfy(p -> {
            assertThat(p.processingTime()).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(9));
            assertThat(p.callback().lost() && p.callback().duplicate()).isFalse();
        });
        assertThat(plans).filteredOn(p -> p.outcome() instanceof TaskOutcome.Failed)
                .extracting(p -> ((TaskOutcome.Failed) p.outcome()).code()).contains(451, 500).containsOnly(451, 500);
    }

    @Test
    void shouldNeverReturnPartialResultsWhenTheModeIsSeparateVocal() {
        final List<TaskPlan> plans = LongStream.range(0, 300)
                .mapToObj(n -> planner(3).plan(n, SeparationMode.SEPARATE_VOCAL, FaultShares.NONE.withPartialStems(1)))
                .toList();

        assertThat(plans).allSatisfy(p -> assertThat(((TaskOutcome.Succeeded) p.outcome()).produced())
                .isEqualTo(SeparationMode.SEPARATE_VOCAL.stems()));
    }
}
