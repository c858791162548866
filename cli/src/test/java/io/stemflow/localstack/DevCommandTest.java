package io.stemflow.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.cli.StemflowCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DevCommandTest {

    @TempDir
    Path dataDir;

    @Test
    @Tag("broker") // starts the core stack (broker, registry) in this JVM
    void shouldPrintEveryAddressWhenTheStackIsReady() {
        // given
        final StringWriter out = new StringWriter();
        final CommandLine cli = new CommandLine(new StemflowCli()).setOut(new PrintWriter(out));

        // when
        final int exit = cli.execute("dev", "--data-dir", dataDir.toString(), "--core", "--any-ports",
                "--exit-when-ready");

        // then
        assertThat(exit).isZero();
        assertThat(out.toString())
                .contains("Kafka bootstrap servers : 127.0.0.1:")
                .contains("Schema registry         : http://127.0.0.1:")
                .contains(dataDir.resolve("stack.json").toString())
                .contains("Registry password (file): " + dataDir.resolve("secrets"))
                .contains("local stack ready");
    }

    @Test
    void shouldKeepTheStackIdleWhenNoDemoIsGivenAndRunTheDemoOtherwise() {
        assertThat(demoOption()).isTrue();
        assertThat(demoOption("--demo")).isTrue();
        assertThat(demoOption("--no-demo")).isFalse();
    }

    private static boolean demoOption(final String... flags) {
        final List<String> args = new ArrayList<>(List.of("dev"));
        args.addAll(List.of(flags));
        final CommandLine.ParseResult parsed = new CommandLine(new StemflowCli()).parseArgs(args.toArray(String[]::new));
        return parsed.subcommand().commandSpec().findOption("--demo").getValue();
    }

    @Test
    void shouldRefuseBadOptionsWithUsageExitCodeWhenPartitionsAreInvalid() {
        // given
        final StringWriter err = new StringWriter();
        final CommandLine cli = new CommandLine(new StemflowCli()).setErr(new PrintWriter(err));

        // when
        final int exit = cli.execute("dev", "--data-dir", dataDir.toString(), "--partitions", "zero");

        // then
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--partitions");
    }
}
