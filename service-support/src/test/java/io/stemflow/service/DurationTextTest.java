package io.stemflow.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationTextTest {

    @Test
    void shouldReadEveryFormTheFormerParsersReadWhenParsing() {
        assertThat(DurationText.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(DurationText.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(DurationText.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(DurationText.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(DurationText.parse("14d")).isEqualTo(Duration.ofDays(14));
        assertThat(DurationText.parse("PT10S")).isEqualTo(Duration.ofSeconds(10));
        assertThat(DurationText.parse("P14D")).isEqualTo(Duration.ofDays(14));
        assertThat(DurationText.parse("pt1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(DurationText.parse(" 10S ")).isEqualTo(Duration.ofSeconds(10));
        assertThat(DurationText.parse("500MS")).isEqualTo(Duration.ofMillis(500));
        // the pipeline's former "PT" + text parser read these
        assertThat(DurationText.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(DurationText.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void shouldRefuseABareNumberANegativeOrAWordWhenParsing() {
        assertThatThrownBy(() -> DurationText.parse("10")).hasMessageContaining(DurationText.EXPECTED);
        assertThatThrownBy(() -> DurationText.parse("PT-5S")).hasMessageContaining("negative");
        assertThatThrownBy(() -> DurationText.parse("soon")).hasMessageContaining(DurationText.EXPECTED);
        assertThatThrownBy(() -> DurationText.parse("")).hasMessageContaining(DurationText.EXPECTED);
    }

    @Test
    void shouldReadBackWhatItFormatsWhenFormatting() {
        for (final Duration d : new Duration[] {Duration.ofMillis(250), Duration.ofSeconds(10), Duration.ofMinutes(5),
                Duration.ZERO}) {
            assertThat(DurationText.parse(DurationText.format(d))).isEqualTo(d);
        }
    }
}
