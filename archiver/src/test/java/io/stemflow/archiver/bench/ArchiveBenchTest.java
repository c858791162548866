package io.stemflow.archiver.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The archive benchmark at a small size: it runs and prints both figures (a figure, not an assertion on speed). */
class ArchiveBenchTest {

    @TempDir
    Path dir;

    @Test
    void shouldPrintPlainAndArchiveThroughputWhenRunSmall() throws Exception {
        // given
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();

        // when
        final ArchiveBench.Figures figures = ArchiveBench.run(20, 0.5, 4, dir,
                new PrintStream(printed, true, StandardCharsets.UTF_8));

        // then
        final String out = printed.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("plain HTTP download:").contains("archive (download, verify, SHA-256, store):")
                .containsPattern("MB/s, [0-9.]+ stems/s = [0-9.]+ x plain");
        assertThat(figures.stems()).isEqualTo(20);
        assertThat(figures.bytes()).isEqualTo(20L * ArchiveBench.wav((long) (0.5 * 1024 * 1024)).length);
        assertThat(figures.plainSeconds()).isPositive();
        assertThat(figures.archiveSeconds()).isPositive();
        try (var left = Files.list(dir)) {
            assertThat(left).isEmpty(); // the copies are removed
        }
    }
}
