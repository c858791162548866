package io.stemflow.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RestartBackoffTest {

    @Test
    void shouldDoubleTheDelayUpTo30SecondsWhenRestartsDoNotLast() {
        // given
        RestartBackoff backoff = RestartBackoff.DEFAULT;
        final List<Long> delays = new ArrayList<>();

        // when the child dies again and again after a few seconds
        for (int i = 0; i < 8; i++) {
            final RestartBackoff.Step step = backoff.next(Duration.ofSeconds(3));
            delays.add(step.delay().toSeconds());
            backoff = step.then();
        }

        // then
        assertThat(delays).containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L, 30L);
    }

    @Test
    void shouldStartAgainAtOneSecondWhenTheChildRanForAMinute() {
        // given a backoff at 8 s
        RestartBackoff backoff = RestartBackoff.DEFAULT;
        for (int i = 0; i < 4; i++) {
            backoff = backoff.next(Duration.ZERO).then();
        }

        // when the child then ran a stable minute before dying
        final RestartBackoff.Step step = backoff.next(Duration.ofMinutes(1));

        // then
        assertThat(step.delay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(step.then().next(Duration.ZERO).delay()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void shouldBackOffWhenARestartFailsToStart() {
        final RestartBackoff.Step first = RestartBackoff.DEFAULT.next(Duration.ZERO);
        assertThat(first.then().afterFailedStart().delay()).isEqualTo(Duration.ofSeconds(2));
    }
}
