package io.stemflow.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    @TempDir
    Path dir;

    @Test
    void shouldReportEveryProblemByVariableWhenSeveralSettingsAreBad() {
        // given
        final Settings settings = new Settings("test service", Map.of("A_PORT", "eighty", "A_WAIT", "soon",
                "A_SHARE", "2", "A_KEY", "s3cret-value", "A_KEY_FILE", "/nowhere"));

        // when
        settings.required("A_HOST");
        settings.integer("A_PORT", 1, 0, 65_535);
        settings.duration("A_WAIT", Duration.ofSeconds(1), Duration.ZERO);
        settings.decimal("A_SHARE", 0, 0, 1);
        settings.secret("A_KEY");

        // then
        assertThatThrownBy(settings::throwIfProblems).isInstanceOf(SettingsException.class)
                .hasMessageStartingWith("Invalid test service configuration: ")
                .hasMessageContaining("A_HOST is required").hasMessageContaining("A_PORT must be an integer")
                .hasMessageContaining("A_WAIT must be a duration").hasMessageContaining("A_SHARE must be within")
                .hasMessageContaining("set only one of A_KEY and A_KEY_FILE")
                .hasMessageNotContaining("s3cret-value")
                .satisfies(e -> assertThat(((SettingsException) e).problems()).hasSize(5));
    }

    @Test
    void shouldTakeTheFirstLineThatIsNeitherBlankNorACommentWhenASecretIsAFile() throws Exception {
        // given
        final Path file = Files.writeString(dir.resolve("key"), "# what this key is\n\n   the-key  \nsecond\n");

        // when
        final Settings settings = new Settings("test", Map.of("K_FILE", file.toString()));

        // then
        assertThat(settings.secretText("K")).contains("the-key");
        assertThat(settings.secretSource("K").orElseThrow().get().reveal()).isEqualTo("the-key");
        assertThat(settings.problems()).isEmpty();
    }

    @Test
    void shouldNameTheFileWhenASecretFileHoldsNoValue() throws Exception {
        // given
        final Path file = Files.writeString(dir.resolve("key"), "# only a comment\n\n");
        final Settings settings = new Settings("test", Map.of("K_FILE", file.toString()));

        // when
        settings.secretText("K");

        // then
        assertThat(settings.problems()).singleElement().asString()
                .contains("K_FILE points to an empty file: " + file);
    }

    @Test
    void shouldKeepTheUnitOfWholeNumberVariablesWhenReadingMillisecondsOrSeconds() {
        final Settings settings = new Settings("test", Map.of("T_MS", "1500", "T_S", "30"));
        assertThat(settings.wholeUnits("T_MS", Duration.ZERO, ChronoUnit.MILLIS)).isEqualTo(Duration.ofMillis(1500));
        assertThat(settings.wholeUnits("T_S", Duration.ZERO, ChronoUnit.SECONDS)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void shouldPrintTheReasonAndExitOneWhenTheStartIsRefused() throws Exception {
        // given
        final AtomicInteger status = new AtomicInteger(-1);
        final ByteArrayOutputStream err = new ByteArrayOutputStream();

        // when the start fails for a reason outside the configuration
        ServiceMain.run("test service", Map.of(), env -> env, config -> {
            throw new IllegalStateException("subject 'x-value' holds an incompatible schema");
        }, status::set, new PrintStream(err, true, StandardCharsets.UTF_8));

        // then
        assertThat(status).hasValue(ServiceMain.FAILED);
        assertThat(err.toString(StandardCharsets.UTF_8).lines().toList()).singleElement().asString()
                .isEqualTo("test service not started: subject 'x-value' holds an incompatible schema");
    }

    @Test
    void shouldPrintOneLineAndExitTwoWhenTheConfigurationIsInvalid() throws Exception {
        // given
        final AtomicInteger status = new AtomicInteger(-1);
        final ByteArrayOutputStream err = new ByteArrayOutputStream();

        // when
        ServiceMain.run("test service", Map.of("A_PORT", "eighty"), env -> {
            final Settings s = new Settings("test service", env);
            s.required("A_HOST");
            s.integer("A_PORT", 1, 0, 65_535);
            s.throwIfProblems();
            return s;
        }, config -> {
            throw new AssertionError("must not start");
        }, status::set, new PrintStream(err, true, StandardCharsets.UTF_8));

        // then
        assertThat(status).hasValue(ServiceMain.CONFIG_ERROR);
        assertThat(err.toString(StandardCharsets.UTF_8).lines().toList()).singleElement().asString()
                .startsWith("test service not started: ").contains("A_HOST").contains("A_PORT");
    }

    @Test
    void shouldUseLoopbackWhenTheHostIsAWildcard() {
        assertThat(LoopbackUrl.host("0.0.0.0")).isEqualTo("127.0.0.1");
        assertThat(LoopbackUrl.host("::")).isEqualTo("127.0.0.1");
        assertThat(LoopbackUrl.url("http", "[::]", 80)).hasToString("http://127.0.0.1:80");
        assertThat(LoopbackUrl.url("https", "::1", 8443)).hasToString("https://[::1]:8443");
        assertThat(LoopbackUrl.url("http", "bridge", 8090)).hasToString("http://bridge:8090");
    }
}
