package io.stemflow.cli.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JFR recording of one part of the benchmark in the pipeline's JVM ({@code --jfr DIR}): started and stopped with
 * the JDK's {@code jcmd} (the {@code profile} settings: a CPU sample of each running Java thread every 10 ms), so it
 * covers that part alone. {@link #stop()} writes the file, which {@link JfrSummary} reads.
 */
final class PipelineProfile {

    private final long pid;
    private final String name;
    private final Path file;

    private PipelineProfile(final long pid, final String name, final Path file) {
        this.pid = pid;
        this.name = name;
        this.file = file;
    }

    /** Starts recording process {@code pid} into {@code dir/<name>.jfr}. */
    static PipelineProfile start(final long pid, final Path dir, final String name) {
        final Path file = dir.resolve(name + ".jfr").toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + dir + " for the JFR recordings: " + e.getMessage(), e);
        }
        final PipelineProfile profile = new PipelineProfile(pid, "stemflow-bench-" + name, file);
        profile.jcmd("JFR.start", "name=" + profile.name, "settings=profile", "filename=" + file);
        return profile;
    }

    /** Stops the recording and returns its file. */
    Path stop() {
        jcmd("JFR.stop", "name=" + name);
        return file;
    }

    private void jcmd(final String command, final String... options) {
        final Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            throw new IllegalStateException("--jfr needs the JDK's jcmd, not found at " + jcmd + " (run on a JDK)");
        }
        final List<String> args = new java.util.ArrayList<>(List.of(jcmd.toString(), Long.toString(pid), command));
        args.addAll(List.of(options));
        try {
            final Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
            final String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("jcmd " + command + " on the pipeline (pid " + pid + ") failed: "
                        + output.strip());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + jcmd + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running jcmd " + command, e);
        }
    }
}
