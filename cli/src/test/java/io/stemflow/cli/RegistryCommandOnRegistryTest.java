package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.stemflow.schemas.Contract;
import io.stemflow.schemas.TopicNames;
import io.stemflow.serde.registry.RegistryClientConfig;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stemflow registry configure} against stemflow's registry on a real broker, read back over its REST API. */
@WithKafkaStack
class RegistryCommandOnRegistryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void shouldSetEveryValueSubjectOfTheCatalogueWhenConfiguringARealRegistry(final TestStack stack) throws Exception {
        // given
        final String registry = stack.registryUrl().toString();
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();

        // when
        final int exit = StemflowCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("registry", "configure", "--registry-url", registry, "--level", "FULL_TRANSITIVE",
                        "--stack-file", dir.resolve("no-stack.json").toString());

        // then
        assertThat(exit).as("exit code; stderr: %s", err).isZero();
        final Map<String, String> levels = new LinkedHashMap<>();
        for (final String topic : TopicNames.ALL) {
            levels.put(topic + "-value", subjectLevel(registry, topic + "-value"));
        }
        assertThat(levels).hasSize(TopicNames.ALL.size()).allSatisfy((subject, level) ->
                assertThat(level).as(subject).isEqualTo("FULL_TRANSITIVE"));
        final List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(2 * TopicNames.ALL.size());
        assertThat(lines.subList(0, TopicNames.ALL.size()))
                .allMatch(line -> line.startsWith("registry: ") && line.endsWith(" -> FULL_TRANSITIVE"));
        // and every subject holds the contract's schema: the .avsc's, which a lookup by another tool finds
        assertThat(lines.subList(TopicNames.ALL.size(), lines.size()))
                .allMatch(line -> line.matches("registry: \\S+-value holds schema id \\d+ \\((registered now|already registered)\\)"));
        final RestSchemaRegistryClient client = new RestSchemaRegistryClient(RegistryClientConfig.of(registry));
        Contract.valueSchemasByTopic().forEach((topic, schema) ->
                assertThat(client.getLatest(Contract.valueSubject(topic)).schema()).as(topic).isEqualTo(schema));
    }

    @Test
    void shouldChangeTheLevelAgainWhenRunTwiceWithAnotherLevel(final TestStack stack) throws Exception {
        // given
        final String registry = stack.registryUrl().toString();
        final String[] args = {"registry", "configure", "--registry-url", registry, "--stack-file",
            dir.resolve("no-stack.json").toString(), "--level"};

        // when
        final int first = StemflowCli.commandLine().setOut(new PrintWriter(new StringWriter()))
                .execute(with(args, "FORWARD"));
        final int second = StemflowCli.commandLine().setOut(new PrintWriter(new StringWriter()))
                .execute(with(args, "FULL_TRANSITIVE"));

        // then
        assertThat(first).isZero();
        assertThat(second).isZero();
        assertThat(subjectLevel(registry, TopicNames.REQUESTS + "-value")).isEqualTo("FULL_TRANSITIVE");
    }

    private static String[] with(final String[] args, final String last) {
        final String[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = last;
        return all;
    }

    /** The subject's own level ({@code GET /config/{subject}}, without falling back to the global one). */
    private static String subjectLevel(final String registry, final String subject) throws Exception {
        final HttpResponse<String> answer = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(registry.replaceAll("/+$", "") + "/config/" + subject)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as("GET /config/%s: %s", subject, answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body()).path("compatibilityLevel").asText();
    }
}
