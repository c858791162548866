package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StackLoggingTest {

    @Test
    void shouldColourOnlyWhenTheConsoleIsATerminalAndNoColorIsUnset() {
        assertThat(StackLogging.ansi(true, Map.of("TERM", "xterm-256color"))).isTrue();
        assertThat(StackLogging.ansi(true, Map.of())).isTrue();
        assertThat(StackLogging.ansi(true, Map.of("NO_COLOR", ""))).as("an empty NO_COLOR does not count").isTrue();
        assertThat(StackLogging.ansi(false, Map.of())).as("output to a file or a pipe").isFalse();
        assertThat(StackLogging.ansi(true, Map.of("NO_COLOR", "1"))).isFalse();
        assertThat(StackLogging.ansi(true, Map.of("TERM", "dumb"))).isFalse();
    }
}
