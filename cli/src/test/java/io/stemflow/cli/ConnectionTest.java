package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.localstack.StackInfo;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Where the CLI finds a stack: the flag, else the environment, else the stack file; blank counts as unset. */
class ConnectionTest {

    @TempDir
    Path dir;

    @Command(name = "probe")
    static final class Probe {
        @Mixin
        Connection connection;
    }

    private Connection parse(final Map<String, String> env, final String... args) {
        final Probe probe = new Probe();
        new CommandLine(probe).parseArgs(args);
        return probe.connection.withEnvironment(env);
    }

    private Path stackFile() {
        final Path file = dir.resolve("stack.json");
        new StackInfo("file:9092", "http://file:8081", dir.toString(), 1, Instant.EPOCH,
                Map.of("query-api", "http://file:7070/", "gateway", "http://file:8092"), Map.of()).writeTo(file);
        return file;
    }

    @Test
    void shouldPreferTheFlagThenTheEnvironmentThenTheStackFileWhenSeveralAreGiven() {
        // given
        final String file = stackFile().toString();
        final Map<String, String> env = Map.of(Connection.ENV_BOOTSTRAP, "env:9092", Connection.ENV_QUERY, " ");

        // when
        final Connection flagged = parse(env, "--bootstrap-servers", "flag:9092", "--stack-file", file);
        final Connection fromEnv = parse(env, "--stack-file", file);

        // then
        assertThat(flagged.bootstrapServers()).isEqualTo("flag:9092");
        assertThat(fromEnv.bootstrapServers()).isEqualTo("env:9092");
        assertThat(fromEnv.registryUrl()).isEqualTo("http://file:8081");
        assertThat(fromEnv.queryUrl()).as("a blank variable counts as unset; trailing slash dropped").isEqualTo("http://file:7070");
        assertThat(fromEnv.queryUrlIfKnown()).contains("http://file:7070");
        assertThat(fromEnv.gatewayUrl()).contains("http://file:8092");
    }

    @Test
    void shouldNameTheFlagAndTheVariableWhenNothingSaysWhereTheStackIs() {
        // given
        final Connection none = parse(Map.of(), "--stack-file", dir.resolve("absent.json").toString());

        // then
        assertThat(none.gatewayUrl()).isEmpty();
        assertThat(none.queryUrlIfKnown()).isEmpty();
        assertThatThrownBy(none::registryUrl).isInstanceOf(CliException.class)
                .hasMessageContaining("--registry-url").hasMessageContaining(Connection.ENV_REGISTRY)
                .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(CliException.NOT_CONFIGURED));
    }
}
