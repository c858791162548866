package io.stemflow.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A service's real {@code main} run as a child JVM with only the environment given, until it exits by itself. */
final class ServiceProcess {

    private ServiceProcess() {
    }

    /** How the process ended. */
    record Exit(String service, int status, String stdout, String stderr) {

        /** Both streams, for assertion messages. */
        String both() {
            return "stdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }

    /** Runs {@code main} with {@code env} (nothing inherited), output kept in {@code dir}; fails if it runs 60 s. */
    static Exit run(final Class<?> main, final Map<String, String> env, final Path dir)
            throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), main.getName()));
        final Path out = dir.resolve(main.getSimpleName() + ".out");
        final Path err = dir.resolve(main.getSimpleName() + ".err");
        final ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        final Process process = builder.start();
        final boolean ended = process.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(ended).as("%s ended on its own", main.getSimpleName()).isTrue();
        return new Exit(main.getSimpleName(), process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
