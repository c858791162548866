package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TerminalTest {

    @Test
    void shouldTakeTheWidthFromColumnsThenSttyThenEightyWhenAsked() {
        assertThat(Terminal.width(Map.of("COLUMNS", "132"), () -> Optional.of("50 100\n"))).isEqualTo(132);
        assertThat(Terminal.width(Map.of(), () -> Optional.of("50 100\n"))).isEqualTo(100);
        assertThat(Terminal.width(Map.of("COLUMNS", "wide"), () -> Optional.of("24 61"))).isEqualTo(61);
        assertThat(Terminal.width(Map.of("COLUMNS", "0"), Optional::empty)).isEqualTo(80);
        assertThat(Terminal.width(Map.of(), () -> Optional.of("stty: not a tty"))).isEqualTo(80);
        assertThat(Terminal.width(Map.of(), () -> Optional.of("24 0"))).isEqualTo(80);
    }

    @Test
    void shouldRedrawOnlyOnATerminalThatIsNotDumbWhenDeciding() {
        assertThat(Terminal.redraws(true, Map.of("TERM", "xterm-256color"))).isTrue();
        assertThat(Terminal.redraws(true, Map.of())).isTrue();
        assertThat(Terminal.redraws(true, Map.of("TERM", "dumb"))).isFalse();
        assertThat(Terminal.redraws(false, Map.of("TERM", "xterm"))).as("a pipe or a file").isFalse();
    }
}
