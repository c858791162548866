package io.stemflow.localstack;

import io.stemflow.testing.RepositoryFiles;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.cli.StemflowCli;
import io.stemflow.schemas.TopicNames;
import io.stemflow.schemas.TopicSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The image's one-shots against the topic catalogue: docker-compose.yml creates the topics with
 * docker/create-topics.sh, in bash, so it must name the same topics and configs as
 * {@link TopicSpec#all}; it sets the subjects' compatibility with the stemflow CLI's
 * {@code registry configure}, which must be what the compose service runs and must cover every
 * public topic's value subject.
 */
class TopicScriptsTest {

    @Test
    void shouldCreateEveryTopicWithTheCatalogueConfigWhenComposeCreatesTheTopics() throws Exception {
        // given
        final Map<String, String> expected = new LinkedHashMap<>();
        final int any = 7;
        for (final TopicSpec spec : TopicSpec.all(any)) {
            expected.put(spec.name(), (spec.partitions() == any ? "P" : Integer.toString(spec.partitions())) + " "
                    + spec.configs().entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).reduce((a, b) -> a + "," + b).orElse(""));
        }

        // when
        final Map<String, String> listed = new LinkedHashMap<>();
        for (final String line : run("docker/create-topics.sh")) {
            final String[] parts = line.split(" ", 2);
            listed.put(parts[0], parts[1]);
        }

        // then
        assertThat(listed).containsExactlyEntriesOf(expected);
    }

    @Test
    void shouldSetEveryPublicValueSubjectWhenComposeConfiguresTheRegistry() throws Exception {
        // given: the command the compose one-shot runs
        final String compose = Files.readString(RepositoryFiles.root().resolve("docker-compose.yml"));
        final Matcher service = Pattern.compile("(?m)^  schema-config:\\n(?:    .*\\n)*?    command: \\[(.*)]$").matcher(compose);
        assertThat(service.find()).as("docker-compose.yml has a schema-config service with a command").isTrue();
        final List<String> command = Pattern.compile("\"([^\"]*)\"").matcher(service.group(1)).results()
                .map(m -> m.group(1)).toList();
        assertThat(command).as("the image's entrypoint runs the CLI for 'cli'").containsExactly("cli", "registry", "configure");

        // when: the same command lists its subjects
        final StringWriter out = new StringWriter();
        final String[] list = new String[] {command.get(1), command.get(2), "--list"};
        final int exit = StemflowCli.commandLine().setOut(new PrintWriter(out)).execute(list);

        // then
        assertThat(exit).isZero();
        assertThat(out.toString().lines())
                .containsExactlyElementsOf(TopicNames.ALL.stream().map(t -> t + "-value").toList());
    }

    /** The script's {@code --list} output, lines; fails on a non-zero exit or after 30 s. */
    private static List<String> run(final String script) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder("bash", RepositoryFiles.root().resolve(script).toString(), "--list")
                .redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("%s --list finished", script).isTrue();
        assertThat(p.exitValue()).as("%s --list: %s", script, out).isZero();
        return out.lines().toList();
    }
}
