package io.stemflow.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.schemas.TopicNames;
import io.stemflow.schemas.TopicSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The image's one-shot scripts against the topic catalogue: docker-compose.yml creates the topics
 * with docker/create-topics.sh and sets the subjects' compatibility with docker/schema-config.sh,
 * both in bash, so they must name the same topics and configs as {@link TopicSpec#all}.
 */
class TopicScriptsTest {

    @Test
    void shouldCreateEveryTopicWithTheCatalogueConfigWhenComposeCreatesTheTopics() throws Exception {
        // given
        final Map<String, String> expected = new LinkedHashMap<>();
        for (final TopicSpec spec : TopicSpec.all(1)) {
            expected.put(spec.name(), spec.configs().entrySet().stream()
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
        assertThat(run("docker/schema-config.sh"))
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
