package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dev --brokers}: what cannot work is refused as bad usage (exit 2) before anything starts. */
class DevBrokersOptionTest {

    @TempDir
    Path dataDir;

    @Test
    void shouldRefuseWithExitTwoWhenTheBrokerCountIsOutOfRange() {
        assertThat(dev("--brokers", "0")).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err()).contains("--brokers must be between 1 and 9, was 0");
        });
        assertThat(dev("--brokers", "10").exit()).isEqualTo(2);
    }

    @Test
    void shouldRefuseWithExitTwoWhenSeveralBrokersAreAskedWithSecure() {
        final Run run = dev("--brokers", "3", "--secure");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("cannot be combined with --secure");
    }

    @Test
    void shouldRefuseWithExitTwoWhenABrokersPortCollidesWithAnotherService() {
        // broker 2 would take 18083 = --kafka-port + 2, the registry's here
        final Run run = dev("--brokers", "3", "--kafka-port", "18081", "--controller-port", "18082",
                "--registry-port", "18083");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("which another service of the stack uses");
    }

    private record Run(int exit, String err) {
    }

    private Run dev(final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final String[] all = new String[args.length + 2];
        all[0] = "dev";
        all[1] = "--data-dir=" + dataDir;
        System.arraycopy(args, 0, all, 2, args.length);
        final int exit = StemflowCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(all);
        return new Run(exit, err.toString());
    }
}
