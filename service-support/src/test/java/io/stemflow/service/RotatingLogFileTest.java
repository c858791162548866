package io.stemflow.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe of issue 15: a child's log ({@code bridge.log}) grew without bound, since the child's
 * output was redirected to it by the operating system. Now the parent copies the output into a file
 * rotated by size: a child that writes far more than the limit leaves at most the current file and
 * {@code keep} old ones, none larger than the limit, the newest lines in the current file.
 */
@Tag("broker") // starts a child process
class RotatingLogFileTest {

    private static final long MAX_BYTES = 32 * 1024;
    private static final int KEEP = 3;

    @Test
    void shouldKeepAtMostKeepOldFilesOfBoundedSizeWhenAChildWritesFarMoreThanTheLimit(@TempDir final Path dir)
            throws IOException {
        // given: a process writing 4,000 lines (about 250 KB, eight times what may be kept)
        final Path log = dir.resolve("logs").resolve("bridge.log");
        final Process child = new ProcessBuilder("sh", "-c",
                "i=0; while [ $i -lt 4000 ]; do echo \"line $i of a chatty child process, padded to some length\";"
                        + " i=$((i+1)); done").redirectErrorStream(true).start();

        // when
        final Thread pump = RotatingLogFile.pump("chatty", child.getInputStream(), log, MAX_BYTES, KEEP);
        await().atMost(Duration.ofSeconds(30)).until(() -> !pump.isAlive());

        // then
        try (var files = Files.list(log.getParent())) {
            assertThat(files.map(f -> f.getFileName().toString()).sorted().toList())
                    .containsExactly("bridge.log", "bridge.log.1", "bridge.log.2", "bridge.log.3");
        }
        for (final String name : List.of("bridge.log", "bridge.log.1", "bridge.log.2", "bridge.log.3")) {
            // at most the limit plus the end of the line being written when it was reached
            assertThat(Files.size(log.resolveSibling(name))).as(name).isPositive().isLessThanOrEqualTo(MAX_BYTES + 100);
        }
        final List<String> current = Files.readAllLines(log, StandardCharsets.UTF_8);
        assertThat(current.get(current.size() - 1)).startsWith("line 3999 ");
        final List<String> previous = Files.readAllLines(log.resolveSibling("bridge.log.1"), StandardCharsets.UTF_8);
        assertThat(lineNumber(previous.get(previous.size() - 1)) + 1).as("whole lines on both sides of a rotation")
                .isEqualTo(lineNumber(current.get(0)));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(log))).isEqualTo("rw-------");
    }

    @Test
    void shouldAppendToTheExistingFileWhenTheStackRestarts(@TempDir final Path dir) throws IOException {
        // given
        final Path log = dir.resolve("bridge.log");
        Files.writeString(log, "from the last run\n");

        // when
        try (RotatingLogFile file = new RotatingLogFile(log, MAX_BYTES, KEEP)) {
            final byte[] line = "from this run\n".getBytes(StandardCharsets.UTF_8);
            file.write(line, 0, line.length);
        }

        // then
        assertThat(Files.readAllLines(log)).containsExactly("from the last run", "from this run");
    }

    private static int lineNumber(final String line) {
        final String[] words = line.split(" ");
        return Integer.parseInt(words[1]);
    }
}
