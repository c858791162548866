package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The ETA counts down between redraws instead of repeating waiting / limit. */
class BatchEtaTest {

    private static final Instant START = Instant.parse("2026-12-06T10:00:00Z");
    private static final Duration WINDOW = Duration.ofSeconds(10);

    private static Instant at(final double seconds) {
        return START.plusMillis((long) (seconds * 1000));
    }

    @Test
    void shouldCountDownWhenTheNumberOfWaitingJobsStaysTheSameBetweenRedraws() {
        // given 20 jobs waiting for the provider's next period (20 per 10 s = 2 per second)
        final BatchEta eta = new BatchEta(2.0, WINDOW);

        // when redrawn every 2 s while the 20 still wait (what status --watch showed as "0m10s" throughout)
        final BatchEta.Estimate first = eta.update(20, at(0)).orElseThrow();
        final BatchEta.Estimate later = eta.update(20, at(2)).orElseThrow();
        final BatchEta.Estimate latest = eta.update(20, at(8)).orElseThrow();

        // then
        assertThat(BatchEta.format(first.left())).isEqualTo("0m10s");
        assertThat(BatchEta.format(later.left())).isEqualTo("0m08s");
        assertThat(BatchEta.format(latest.left())).isEqualTo("0m02s");
        assertThat(first.basis()).as("nothing measured yet").isEqualTo(BatchEta.Basis.LIMIT);
    }

    @Test
    void shouldGoNegativeWhenTheEstimatePassesWithJobsStillWaiting() {
        // given
        final BatchEta eta = new BatchEta(2.0, WINDOW);
        eta.update(4, at(0));

        // when
        final BatchEta.Estimate late = eta.update(4, at(5)).orElseThrow();

        // then
        assertThat(late.left()).isEqualTo(Duration.ofSeconds(-3));
    }

    @Test
    void shouldUseTheBatchsOwnPaceWhenItIsSlowerThanTheLimitOverAWindow() {
        // given a batch that gets a quarter of the provider (fair sharing): 5 jobs leave every 10 s
        final BatchEta eta = new BatchEta(2.0, WINDOW);
        eta.update(100, at(0));

        // when
        final BatchEta.Estimate early = eta.update(95, at(5)).orElseThrow();
        final BatchEta.Estimate measured = eta.update(90, at(20)).orElseThrow();

        // then before a window has passed the limit is assumed; after it, the batch's pace (10 jobs in 20 s)
        assertThat(early.basis()).isEqualTo(BatchEta.Basis.LIMIT);
        assertThat(early.left()).isEqualTo(Duration.ofMillis(47_500));
        assertThat(measured.basis()).isEqualTo(BatchEta.Basis.PACE);
        assertThat(measured.left()).isEqualTo(Duration.ofSeconds(180));
    }

    @Test
    void shouldNeverAssumeMoreThanTheLimitWhenABurstMakesTheBatchLookFaster() {
        // given
        final BatchEta eta = new BatchEta(2.0, WINDOW);
        eta.update(100, at(0));

        // when 40 jobs (two bursts of the provider's period) left in 10.5 s
        final BatchEta.Estimate estimate = eta.update(60, at(10.5)).orElseThrow();

        // then
        assertThat(estimate.left()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void shouldTakeTheQueuesFigureWhenTheSchedulerGivesOneAndCountItDownUntilItChanges() {
        // given
        final BatchEta eta = new BatchEta(2.0, WINDOW);

        // when the queues say 150 s (300 jobs of higher classes ahead, then a quarter of the calls for 0 jobs...)
        final BatchEta.Estimate first = eta.update(20, Optional.of(150.0), at(0)).orElseThrow();
        final BatchEta.Estimate same = eta.update(20, Optional.of(150.0), at(4)).orElseThrow();
        final BatchEta.Estimate moved = eta.update(20, Optional.of(140.0), at(6)).orElseThrow();
        final BatchEta.Estimate gone = eta.update(20, Optional.empty(), at(8)).orElseThrow();

        // then
        assertThat(first.basis()).isEqualTo(BatchEta.Basis.QUEUE);
        assertThat(first.left()).isEqualTo(Duration.ofSeconds(150));
        assertThat(same.left()).isEqualTo(Duration.ofSeconds(146));
        assertThat(moved.left()).isEqualTo(Duration.ofSeconds(140));
        assertThat(gone.basis()).as("the queues no longer answer: the limit").isEqualTo(BatchEta.Basis.LIMIT);
        assertThat(gone.left()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void shouldShowNoEtaWhenNoJobWaits() {
        final BatchEta eta = new BatchEta(2.0, WINDOW);
        assertThat(eta.update(0, at(0))).isEmpty();
        assertThat(eta.update(3, at(1))).hasValueSatisfying(e -> assertThat(e.left()).isEqualTo(Duration.ofMillis(1500)));
    }

    @Test
    void shouldRoundSecondsUpAndShowHoursAndMinutesWhenLong() {
        assertThat(BatchEta.format(Duration.ofSeconds(15_000))).isEqualTo("4h10m");
        assertThat(BatchEta.format(Duration.ofMillis(37_500))).isEqualTo("0m38s");
        assertThat(BatchEta.format(Duration.ofSeconds(125))).isEqualTo("2m05s");
        assertThat(BatchEta.format(Duration.ZERO)).isEqualTo("0m00s");
    }
}
