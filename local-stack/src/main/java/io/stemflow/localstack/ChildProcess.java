package io.stemflow.localstack;

import io.stemflow.kafka.embedded.OwnSession;
import io.stemflow.service.RotatingLogFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stemflow service run as its own JVM on this JVM's classpath, through {@link ChildMain} (so it
 * dies with its parent), its output appended to a log file rotated by size ({@link RotatingLogFile}:
 * never more than {@value RotatingLogFile#KEEP} old files of 20 MB besides the current one), ready
 * when its health URL answers 200.
 *
 * <p>The child runs in a session of its own ({@link OwnSession}): a Ctrl-C or a {@code kill -TERM
 * -PGID} aimed at the launcher's process group does not reach it, so the launcher can stop its
 * services in order. If it cannot become healthy (it exits, the deadline passes, or the waiting
 * thread is interrupted) it is stopped before {@link #start} throws: no half-started child is left.
 */
public final class ChildProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChildProcess.class);

    private final String name;
    private final Process process;
    private final Path log;
    private final Instant startedAt;
    private final Thread output;

    private ChildProcess(final String name, final Process process, final Path log, final Instant startedAt,
                         final Thread output) {
        this.output = output;
        this.name = name;
        this.process = process;
        this.log = log;
        this.startedAt = startedAt;
    }

    static ChildProcess start(final String name, final String mainClass, final Map<String, String> env,
                              final Path log, final URI health, final Duration timeout) {
        return start(name, mainClass, List.of(), env, log, health, timeout);
    }

    /**
     * As {@link #start(String, String, Map, Path, URI, Duration)}, with {@code jvmOptions} after the default ones
     * (so a {@code -Xmx} there replaces the default 256m): the queue benchmark runs the pipeline in the heap it
     * must fit in.
     */
    public static ChildProcess start(final String name, final String mainClass, final List<String> jvmOptions,
                                     final Map<String, String> env, final Path log, final URI health,
                                     final Duration timeout) {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.addAll(jvmOptions);
        command.add("-D" + ChildMain.PARENT_PID_PROPERTY + "=" + ProcessHandle.current().pid());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ChildMain.class.getName());
        command.add(mainClass);
        final ProcessBuilder pb = new ProcessBuilder(OwnSession.command(command))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        pb.environment().putAll(env);
        final Process process;
        try {
            Files.createDirectories(log.getParent());
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + name, e);
        }
        // the parent writes the child's output, so that it can rotate the file (a redirect cannot)
        final Thread output = RotatingLogFile.pump(name, process.getInputStream(), log, RotatingLogFile.MAX_BYTES,
                RotatingLogFile.KEEP);
        final ChildProcess child = new ChildProcess(name, process, log, Instant.now(), output);
        try {
            child.awaitHealthy(health, timeout);
        } catch (RuntimeException e) {
            child.close();
            throw e;
        }
        return child;
    }

    private void awaitHealthy(final URI health, final Duration timeout) {
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        final Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue()
                        + " while starting; see " + log + ":\n" + tail());
            }
            try {
                final int status = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200) {
                    LOG.info("{} ready (pid {}, log {})", name, process.pid(), log);
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for " + name, e);
            }
            try {
                process.waitFor(200, TimeUnit.MILLISECONDS); // returns early if the child dies
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for " + name, e);
            }
        }
        throw new IllegalStateException(name + " was not healthy at " + health + " within " + timeout + "; see " + log
                + ":\n" + tail());
    }

    private String tail() {
        try {
            final List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ")";
        }
    }

    String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    /** When the process was started. */
    Instant startedAt() {
        return startedAt;
    }

    /** Completes with the exit code when the process ends, however it ends (137 after SIGKILL). */
    public CompletableFuture<Integer> onExit() {
        return process.onExit().thenApply(Process::exitValue);
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        // a signal through the handle: Process.destroy() would also close the output pipe under the thread copying
        // it into the log, which then lost the child's last lines (and said so in a WARN)
        process.toHandle().destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.toHandle().destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            output.join(TimeUnit.SECONDS.toMillis(5)); // the child's last lines are in its log when close returns
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        LOG.info("{} stopped", name);
    }
}
