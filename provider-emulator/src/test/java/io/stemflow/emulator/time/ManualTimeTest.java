package io.stemflow.emulator.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManualTimeTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void shouldRunDueActionsInOrderAtTheirDueTimeWhenAdvanced() {
        // given
        final ManualTime time = new ManualTime(T0);
        final List<String> log = new ArrayList<>();
        time.schedule(Duration.ofSeconds(3), () -> log.add("c@" + time.now().getEpochSecond() % 60));
        time.schedule(Duration.ofSeconds(1), () -> {
            log.add("a@" + time.now().getEpochSecond() % 60);
            time.schedule(Duration.ofSeconds(1), () -> log.add("b@" + time.now().getEpochSecond() % 60));
        });
        time.schedule(Duration.ofSeconds(10), () -> log.add("late"));
        final EmulatorTime.Cancellable cancelled = time.schedule(Duration.ofSeconds(2), () -> log.add("cancelled"));
        cancelled.cancel();

        // when
        time.advance(Duration.ofSeconds(5));

        // then
        assertThat(log).containsExactly("a@1", "b@2", "c@3");
        assertThat(time.now()).isEqualTo(T0.plusSeconds(5));
        assertThat(time.pending()).isEqualTo(1);
    }

    @Test
    void shouldDropActionsWhenClosed() {
        final ManualTime time = new ManualTime(T0);
        final List<String> log = new ArrayList<>();
        time.schedule(Duration.ZERO, () -> log.add("x"));

        time.close();
        time.schedule(Duration.ZERO, () -> log.add("y"));
        time.advance(Duration.ofSeconds(1));

        assertThat(log).isEmpty();
    }
}
