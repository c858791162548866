package io.stemflow.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ProcessingTimeTest {

    @Test
    void shouldParseWhenTextNamesOneOfTheThreeDistributions() {
        assertThat(ProcessingTime.parse("x", "fixed:3s")).isEqualTo(ProcessingTime.fixed(Duration.ofSeconds(3)));
        assertThat(ProcessingTime.parse("x", "uniform:250ms..2s"))
                .isEqualTo(ProcessingTime.uniform(Duration.ofMillis(250), Duration.ofSeconds(2)));
        assertThat(ProcessingTime.parse("x", "exponential:1s..PT4S..1m")).isEqualTo(ProcessingTime.exponential(
                Duration.ofSeconds(1), Duration.ofSeconds(4), Duration.ofMinutes(1)));
        assertThatThrownBy(() -> ProcessingTime.parse("SETTING", "normal:1s..2s")).hasMessageContaining("SETTING");
        assertThatThrownBy(() -> ProcessingTime.parse("SETTING", "uniform:1s")).hasMessageContaining("SETTING");
    }

    @Test
    void shouldKeepMeanAndCapWhenDrawingExponentialTimes() {
        // given
        final ProcessingTime time = ProcessingTime.exponential(Duration.ofSeconds(1), Duration.ofSeconds(5),
                Duration.ofSeconds(60));
        final SplittableRandom random = new SplittableRandom(1);

        // when
        final double meanSeconds = IntStream.range(0, 20_000)
                .mapToLong(i -> time.draw(random).toMillis()).average().orElseThrow() / 1000.0;

        // then mean 5 s (the cap at 60 s barely matters), never below min nor above max
        assertThat(meanSeconds).isBetween(4.8, 5.2);
        assertThat(IntStream.range(0, 2_000).mapToObj(i -> time.draw(random)))
                .allMatch(d -> d.compareTo(Duration.ofSeconds(1)) >= 0 && d.compareTo(Duration.ofSeconds(60)) <= 0);
    }
}
