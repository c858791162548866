package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.stemflow.schemas.TopicNames;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stemflow registry configure} without a registry: listing, usage errors and exit codes. */
class RegistryCommandTest {

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private Run cli(final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final List<String> all = new ArrayList<>(List.of("registry", "configure"));
        all.addAll(List.of(args));
        all.add("--stack-file");
        all.add(dir.resolve("no-stack.json").toString());
        final int exit = StemflowCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void shouldListTheValueSubjectOfEveryCatalogueTopicWithoutARegistry() {
        // when
        final Run run = cli("--list");

        // then
        assertThat(run.exit()).isZero();
        assertThat(run.out().lines()).containsExactlyElementsOf(TopicNames.ALL.stream().map(t -> t + "-value").toList());
    }

    @Test
    void shouldExitWithUsageCodeWhenTheLevelIsUnknown() {
        // when
        final Run run = cli("--registry-url", "http://127.0.0.1:9", "--level", "SOMETIMES");

        // then
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("--level").contains("SOMETIMES");
    }

    @Test
    void shouldExitWithUsageCodeWhenTheUrlIsNotHttp() {
        // when
        final Run run = cli("--registry-url", "ftp://registry:21");

        // then
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("Bad schema registry URL");
    }

    @Test
    void shouldExitWith1AndNameTheRegistryWhenItCannotBeReached() throws IOException {
        // given
        final String closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = "http://127.0.0.1:" + socket.getLocalPort();
        }

        // when
        final Run run = cli("--registry-url", closed);

        // then
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains(TopicNames.REQUESTS + "-value not set")
                .contains(TopicNames.ALL.size() + " of " + TopicNames.ALL.size() + " subjects not set to FULL_TRANSITIVE")
                .contains(closed);
    }

    @Test
    void shouldExitWith5WhenNoRegistryIsKnown() {
        assumeTrue(System.getenv(Connection.ENV_REGISTRY) == null, "STEMFLOW_SCHEMA_REGISTRY_URL is set here");

        // when
        final Run run = cli();

        // then
        assertThat(run.exit()).isEqualTo(5);
        assertThat(run.err()).contains("--registry-url").contains(Connection.ENV_REGISTRY);
    }

    @Test
    void shouldDescribeTheCommandAndItsExitCodesWhenAskedForHelp() {
        // when
        final Run run = cli("--help");

        // then
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("--level", "--list", "--registry-url", "STEMFLOW_SCHEMA_COMPATIBILITY",
                "5   no registry to talk to");
    }
}
