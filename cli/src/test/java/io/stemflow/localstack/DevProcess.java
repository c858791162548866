package io.stemflow.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.cli.StemflowCli;
import io.stemflow.kafka.embedded.OwnSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code stemflow dev} process for tests, run as {@code bin/stemflow} runs it: its own JVM,
 * the production logging configuration ({@code log4j2.xml}, not the tests' one), output to a file.
 * With {@code ownGroup} it leads a process group of its own (through {@code setsid}), as a shell
 * in a terminal starts a foreground job, so a test can signal the whole group as Ctrl-C does.
 */
final class DevProcess implements AutoCloseable {

    private final Process process;
    private final Path output;
    private final Path dataDir;

    private DevProcess(final Process process, final Path output, final Path dataDir) {
        this.process = process;
        this.output = output;
        this.dataDir = dataDir;
    }

    static DevProcess start(final Path dataDir, final boolean ownGroup, final String... args) throws IOException {
        final Path output = dataDir.resolveSibling(dataDir.getFileName() + ".out");
        final List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dlog4j2.configurationFile=log4j2.xml",
                "-cp", System.getProperty("java.class.path"), StemflowCli.class.getName(),
                "dev", "--any-ports", "--data-dir", dataDir.toString()));
        command.addAll(List.of(args));
        if (ownGroup) {
            assertThat(OwnSession.available()).as("setsid is on this machine").isTrue();
        }
        final Process process = new ProcessBuilder(ownGroup ? OwnSession.command(command) : command)
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        return new DevProcess(process, output, dataDir);
    }

    Process process() {
        return process;
    }

    long pid() {
        return process.pid();
    }

    Path dataDir() {
        return dataDir;
    }

    Path stackLog() {
        return dataDir.resolve("logs").resolve("stack.log");
    }

    String output() throws IOException {
        return Files.readString(output);
    }

    /** Waits, up to {@code timeout}, until the output holds {@code text}; fails early if the process ends. */
    void awaitOutput(final String text, final Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
            final String out = output();
            if (out.contains(text)) {
                return true;
            }
            assertThat(process.isAlive()).as("stemflow dev is running; its output: %s", out).isTrue();
            return false;
        });
    }

    void awaitRunning() {
        awaitOutput("local stack running", Duration.ofMinutes(2));
    }

    /** The child process whose command line names {@code mainClass} (BrokerMain, BridgeMain). */
    Optional<ProcessHandle> child(final String mainClass) {
        return process.children().filter(p -> commandLine(p).contains(mainClass)).findFirst();
    }

    /** From /proc: {@code ProcessHandle.Info} cuts long command lines (ours carry the whole classpath). */
    private static String commandLine(final ProcessHandle p) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline")).replace('\0', ' ');
        } catch (IOException e) {
            return p.info().commandLine().orElse("");
        }
    }

    /** {@code kill -<signal> <pid>}, or to the whole process group of this process when {@code group}. */
    void signal(final String signal, final boolean group) throws IOException, InterruptedException {
        final List<String> kill = group ? List.of("kill", "-" + signal, "--", "-" + process.pid())
                : List.of("kill", "-" + signal, Long.toString(process.pid()));
        assertThat(new ProcessBuilder(kill).inheritIO().start().waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
