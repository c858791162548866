package io.stemflow.localstack;

import io.stemflow.testing.RepositoryFiles;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every test class that starts a broker, a local stack, a child process or containers is tagged
 * {@code broker} ({@code @Tag("broker")}, or {@code @WithKafkaStack}, which carries the tag), so
 * {@code mvn test -DexcludedGroups=broker} stays fast. A scan of the test sources of every module:
 * cheap, and it reads what a class starts, which reflection over compiled classes would not see
 * through a fixture.
 */
class BrokerTagTest {

    /** What a broker-backed test class uses, as it reads in its source. */
    private static final Pattern STARTS_SOMETHING = Pattern.compile(
            "\\bTestStack\\b|\\bLocalStack\\.start\\b|\\bEmbeddedKafka\\b|\\bKafkaClusterTestKit\\b|\\bProcessBuilder\\b"
                    + "|\\bDevProcess\\b|@Testcontainers\\b|\\bGatewayFixture\\b");
    private static final Pattern IS_TEST = Pattern.compile("@(Test|ParameterizedTest|Property|Example|RepeatedTest)\\b");
    private static final Pattern TAGGED = Pattern.compile("@Tag\\(\"broker\"\\)|@WithKafkaStack\\b");

    /** Untagged on purpose, with the reason. */
    private static final Map<String, String> FAST_ALTHOUGH_MATCHED = Map.of(
            "TopicScriptsTest.java", "runs bash create-topics.sh --list only: no broker, well under a second",
            "BrokerTagTest.java", "names the patterns it looks for",
            "GatewayHttpAccessTest.java", "takes only GatewayFixture's token constants: the HTTP server alone, no broker");

    @Test
    void shouldTagEveryTestClassThatStartsABrokerAProcessOrContainers() throws IOException {
        // given
        final List<Path> sources;
        try (Stream<Path> modules = Files.list(RepositoryFiles.root())) {
            sources = modules.map(m -> m.resolve("src/test/java")).filter(Files::isDirectory)
                    .flatMap(BrokerTagTest::javaFiles).toList();
        }

        // when
        final List<String> untagged = sources.stream()
                .filter(f -> !FAST_ALTHOUGH_MATCHED.containsKey(f.getFileName().toString()))
                .filter(f -> {
                    final String text = read(f);
                    return IS_TEST.matcher(text).find() && STARTS_SOMETHING.matcher(text).find()
                            && !TAGGED.matcher(text).find();
                })
                .map(f -> RepositoryFiles.root().relativize(f).toString()).toList();

        // then
        assertThat(sources).as("test sources found").hasSizeGreaterThan(50);
        assertThat(untagged).as("broker-backed test classes without @Tag(\"broker\")").isEmpty();
    }

    private static Stream<Path> javaFiles(final Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".java")).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(final Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
