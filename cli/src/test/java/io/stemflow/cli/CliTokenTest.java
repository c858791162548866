package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.javalin.Javalin;
import io.stemflow.http.AccessTokens;
import io.stemflow.http.HttpAccess;
import io.stemflow.http.Role;
import io.stemflow.localstack.StackInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Where the CLI finds its bearer token (STEMFLOW_TOKEN, STEMFLOW_TOKEN_FILE, else the local stack's token files
 * named in stack.json, only for that stack's own services), and what a refusal looks like: an error that names
 * the settings and never the token. The service is a real HTTP server behind {@link HttpAccess}.
 */
class CliTokenTest {

    private static final String VIEWER = "cli-viewer-token-0123456789abcdef";
    private static final String OPERATOR = "cli-operator-token-0123456789abcdef";

    @TempDir
    Path dir;

    private Javalin server;
    private String url;

    @Command(name = "probe")
    static final class Probe {
        @Mixin
        Connection connection;
    }

    @BeforeEach
    void start() {
        final HttpAccess access = HttpAccess.tokens(AccessTokens.of(Map.of(Role.VIEWER, List.of(VIEWER),
                Role.OPERATOR, List.of(OPERATOR))));
        server = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            access.install(config);
            config.routes.get("/jobs/{id}", ctx -> ctx.contentType("application/json").result("{\"requestId\":\"r-1\"}"));
        }).start("127.0.0.1", 0);
        url = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private Connection connection(final Map<String, String> env, final Path stackFile) {
        final Probe probe = new Probe();
        new CommandLine(probe).parseArgs("--stack-file", stackFile.toString());
        return probe.connection.withEnvironment(env);
    }

    private Path stack(final String queryUrl) throws IOException {
        final Path viewer = Files.writeString(dir.resolve("viewer-token"), VIEWER + "\n");
        final Path operator = Files.writeString(dir.resolve("operator-token"), OPERATOR + "\n");
        final Path file = dir.resolve("stack.json");
        new StackInfo("127.0.0.1:9092", "http://127.0.0.1:8081", dir.toString(), 1, Instant.EPOCH,
                Map.of("query-api", queryUrl), Map.of(StackInfo.VIEWER_TOKEN_FILE, viewer.toString(),
                StackInfo.OPERATOR_TOKEN_FILE, operator.toString())).writeTo(file);
        return file;
    }

    @Test
    void shouldReadJobsWithTheLocalStacksViewerTokenWhenTheQueryApiIsTheStacksOwn() throws IOException {
        // given
        final Connection connection = connection(Map.of(), stack(url));
        // when
        final String job = connection.queryClient().get("/jobs", "r-1").path("requestId").asText();
        // then
        assertThat(job).isEqualTo("r-1");
        assertThat(connection.tokenFor(url)).contains(VIEWER);
        assertThat(connection.tokenFor("http://elsewhere.example:7070")).as("a stack's token stays with the stack")
                .isEmpty();
        assertThat(Files.readString(dir.resolve("stack.json"))).doesNotContain(VIEWER).doesNotContain(OPERATOR);
    }

    @Test
    void shouldPreferStemflowTokenOrItsFileWhenSet() throws IOException {
        // given
        final Path file = Files.writeString(dir.resolve("token"), "# the operator's\n" + OPERATOR + "\n");
        // when / then
        assertThat(connection(Map.of(Connection.ENV_TOKEN, OPERATOR), stack(url)).tokenFor(url)).contains(OPERATOR);
        assertThat(connection(Map.of(Connection.ENV_TOKEN + "_FILE", file.toString()), dir.resolve("none.json"))
                .tokenFor(url)).contains(OPERATOR);
        assertThatThrownBy(() -> connection(Map.of(Connection.ENV_TOKEN, OPERATOR, Connection.ENV_TOKEN + "_FILE",
                file.toString()), dir.resolve("none.json")).tokenFor(url))
                .isInstanceOf(CliException.class).hasMessageContaining("STEMFLOW_TOKEN_FILE")
                .hasMessageNotContaining(OPERATOR);
    }

    @Test
    void shouldNameStemflowTokenWithoutPrintingItWhenTheServiceAnswers401() {
        // given
        final Map<String, String> wrong = Map.of(Connection.ENV_QUERY, url, Connection.ENV_TOKEN,
                "not-a-token-of-this-deployment");
        final Map<String, String> none = Map.of(Connection.ENV_QUERY, url);
        // when / then
        assertThatThrownBy(() -> connection(wrong, dir.resolve("none.json")).queryClient().get("/jobs", "r-1"))
                .isInstanceOf(CliException.class)
                .hasMessageContaining("401").hasMessageContaining("STEMFLOW_TOKEN").hasMessageContaining("_FILE")
                .hasMessageNotContaining("not-a-token-of-this-deployment");
        assertThatThrownBy(() -> connection(none, dir.resolve("none.json")).queryClient().get("/jobs", "r-1"))
                .isInstanceOf(CliException.class).hasMessageContaining("no token was sent")
                .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(CliException.NOT_CONFIGURED));
    }
}
