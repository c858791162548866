package io.stemflow.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Runs the command-line tools and scripts of the guide's examples (kcat, the Python and JavaScript examples) for
 * the tests that check them: a command to its end, or one left running (a consumer) whose output lines are read
 * as they come.
 */
final class ExampleCommands {

    private ExampleCommands() {
    }

    /** Whether {@code command} can be started and exits 0 within 30 s (a check that a tool is installed). */
    static boolean succeeds(final List<String> command) {
        try {
            final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Runs {@code command} (with {@code stdin}, if given) and returns its output; fails on a non-zero exit, showing
     * its error output, or when it has not ended within {@code timeout}. Its output goes through files in
     * {@code scratch}, so a command that hangs is still stopped at the deadline.
     */
    static String run(final Path scratch, final Duration timeout, final byte[] stdin, final List<String> command) {
        try {
            final Path out = Files.createTempFile(scratch, "command", ".out");
            final Path err = Files.createTempFile(scratch, "command", ".err");
            final Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("not ended within " + timeout + ": " + command + "; output: "
                        + Files.readString(out) + Files.readString(err));
            }
            final String output = Files.readString(out);
            assertThat(p.exitValue()).as("exit of %s: %s%s", command, output, Files.readString(err)).isZero();
            return output;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command, e);
        }
    }

    /** Starts {@code command}, left running; its error output goes to a file in {@code scratch}. */
    static Running start(final Path scratch, final List<String> command) {
        try {
            final Path err = Files.createTempFile(scratch, "command", ".err");
            final Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            return new Running(command, p, err);
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command, e);
        }
    }

    /** A command left running: the lines it has printed so far, and {@link #close()} stops it with SIGTERM. */
    static final class Running implements AutoCloseable {

        private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

        private final List<String> command;
        private final Process process;
        private final Path err;
        private final List<String> lines = new CopyOnWriteArrayList<>();
        private final Thread reader;

        private Running(final List<String> command, final Process process, final Path err) {
            this.command = command;
            this.process = process;
            this.err = err;
            this.reader = new Thread(this::readLines, "output of " + command.get(0));
            reader.setDaemon(true);
            reader.start();
        }

        private void readLines() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("(output not readable: " + e + ")");
            }
        }

        /** Every line printed so far. */
        List<String> lines() {
            return List.copyOf(lines);
        }

        /** Whether it is still running (a consumer that ended early ended on an error: see {@link #describe()}). */
        boolean alive() {
            return process.isAlive();
        }

        /** The command, whether it runs, and its error output so far: for assertion messages. */
        String describe() {
            try {
                return command + (process.isAlive() ? " (running)" : " (exited " + process.exitValue() + ")")
                        + ", error output:\n" + Files.readString(err);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Stops it with SIGTERM (as Ctrl-C would) and waits for its end and its last line; SIGKILL after 30 s. */
        @Override
        public void close() {
            process.toHandle().destroy();   // Process.destroy() would also close the output pipe under the reader
            try {
                if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("not stopped by SIGTERM within " + STOP_TIMEOUT + ": " + describe());
                }
                reader.join(STOP_TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
